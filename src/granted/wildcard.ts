/**
 * IAM wildcard matching: `*` any run of characters, `?` one character. Patterns are compiled once
 * and cached, because the evaluator matches the same statement patterns many times.
 */
const cache = new Map<string, RegExp>()

export function globToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`
  let re = cache.get(key)
  if (!re) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
      .join('')
    re = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's')
    cache.set(key, re)
  }
  return re
}

/** Actions compare case-insensitively (`s3:getobject` is `s3:GetObject`). */
export function actionMatches(pattern: string, action: string): boolean {
  return globToRegExp(pattern, true).test(action)
}

/**
 * ARNs compare case-sensitively and segment by segment: a wildcard in the service segment does not
 * swallow the region. `*` alone matches every resource.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true
  const p = splitArn(pattern)
  const a = splitArn(arn)
  if (!p || !a) return globToRegExp(pattern, false).test(arn)
  for (let i = 0; i < 6; i++) {
    if (!globToRegExp(p[i]!, false).test(a[i]!)) return false
  }
  return true
}

function splitArn(s: string): string[] | undefined {
  const parts = s.split(':')
  if (parts.length < 6) return undefined
  return [...parts.slice(0, 5), parts.slice(5).join(':')]
}
