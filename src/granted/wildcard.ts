/**
 * IAM wildcard matching: `*` any run of characters, `?` one character. Matching is a two-pointer
 * glob with one backtrack point (the last `*`), so it runs in O(pattern × text) at worst: patterns
 * come from granted policies and from events, and a regular expression built from
 * `*b*b*b*b*b*b*b*b*c` backtracks exponentially (ReDoS).
 */
export interface GlobMatcher {
  test(text: string): boolean
}

export function globMatcher(pattern: string, ignoreCase: boolean): GlobMatcher {
  const p = ignoreCase ? pattern.toLowerCase() : pattern
  return { test: (text) => globMatch(p, ignoreCase ? text.toLowerCase() : text) }
}

export function globMatch(pattern: string, text: string): boolean {
  let p = 0
  let t = 0
  let star = -1
  let resume = 0
  while (t < text.length) {
    const c = pattern[p]
    if (c === '*') {
      star = p++
      resume = t
    } else if (p < pattern.length && (c === '?' || c === text[t] || literalOf(c) === text[t])) {
      p++
      t++
    } else if (star >= 0) {
      p = star + 1
      t = ++resume
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

/** Actions compare case-insensitively (`s3:getobject` is `s3:GetObject`). */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern.toLowerCase(), action.toLowerCase())
}

/**
 * ARNs compare case-sensitively and segment by segment: a wildcard in the service segment does not
 * swallow the region. `*` alone matches every resource.
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true
  const p = splitArn(pattern)
  const a = splitArn(arn)
  if (!p || !a) return globMatch(pattern, arn)
  for (let i = 0; i < 6; i++) {
    if (!globMatch(p[i]!, a[i]!)) return false
  }
  return true
}

function splitArn(s: string): string[] | undefined {
  const parts = s.split(':')
  if (parts.length < 6) return undefined
  return [...parts.slice(0, 5), parts.slice(5).join(':')]
}

/** `${*}` and `${?}` in a Resource (see variables.ts) match the character itself. */
function literalOf(c: string | undefined): string | undefined {
  return c === '\uE000' ? '*' : c === '\uE001' ? '?' : undefined
}
