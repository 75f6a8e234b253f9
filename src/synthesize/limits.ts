import type { PolicyDocument, PolicyStatement } from '../policy/document.js'

/**
 * IAM size limits, in characters with whitespace not counted (IAM quotas page). A managed policy
 * holds 6,144; inline policies share 10,240 per role, 2,048 per user, 5,120 per group; a role takes
 * 10 managed policies by default.
 */
export const LIMITS = {
  managed: 6144,
  inlineRole: 10240,
  inlineUser: 2048,
  inlineGroup: 5120,
  managedPerRole: 10,
} as const

/** The size IAM counts: the JSON without whitespace outside strings. */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).length
}

/**
 * Splits a document into as few documents of at most `maxSize` as a greedy pass in statement order
 * gives (deterministic: the same input, the same split). A statement too large on its own is cut
 * into statements over slices of its resources, then of its actions.
 */
export function splitPolicy(doc: PolicyDocument, maxSize: number): PolicyDocument[] {
  const pieces = doc.Statement.flatMap((s) => cutStatement(s, maxSize))
  const out: PolicyDocument[] = []
  let current: PolicyStatement[] = []
  for (const st of pieces) {
    const candidate = { Version: doc.Version, Statement: [...current, st] }
    if (current.length && policySize(candidate) > maxSize) {
      out.push({ Version: doc.Version, Statement: current })
      current = [st]
    } else current.push(st)
  }
  if (current.length) out.push({ Version: doc.Version, Statement: current })
  return out
}

function cutStatement(st: PolicyStatement, maxSize: number): PolicyStatement[] {
  if (policySize({ Version: '2012-10-17', Statement: [st] }) <= maxSize) return [st]
  for (const field of ['Resource', 'Action'] as const) {
    const list = st[field]
    if (Array.isArray(list) && list.length > 1) {
      const half = Math.ceil(list.length / 2)
      const base = st.Sid ?? 'Statement'
      return [
        ...cutStatement({ ...st, Sid: `${base}A`, [field]: list.slice(0, half) }, maxSize),
        ...cutStatement({ ...st, Sid: `${base}B`, [field]: list.slice(half) }, maxSize),
      ]
    }
  }
  return [st]
}
