import { IamtrailError } from '../errors.js'
import { asArray, type PolicyDocument, type PolicyStatement } from '../policy/document.js'

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

/**
 * A statement cut down to one action on one resource can still exceed the limit (a 7,000-character
 * ARN from an event): IAM would reject that document, so none is written. The error names the
 * statement, its size, the limit and the value that makes it large.
 */
export function assertWithinLimit(documents: PolicyDocument[], maxSize: number): void {
  for (const doc of documents) {
    const size = policySize(doc)
    if (size <= maxSize) continue
    // Only a single statement can be over: the greedy split starts a new document before overflowing.
    const st = doc.Statement[0]!
    const largest = largestValue(st)
    const shown =
      largest.value.length > 80
        ? `${largest.value.slice(0, 80)}… (${largest.value.length} characters)`
        : largest.value
    throw new IamtrailError(
      `statement ${st.Sid ?? '(no Sid)'} needs ${size} characters even cut to one action on one resource, more than --max-size ${maxSize}; ` +
        `its longest value is the ${largest.field} ${shown}. No policy was written. ` +
        'Use --resources generalize or prefix:<p> so the long name becomes a pattern, leave out the call that named it (--start/--end, --exclude-denied if it failed), or raise --max-size (IAM allows 6,144 for a managed policy, 10,240 inline on a role)',
    )
  }
}

function largestValue(st: PolicyStatement): { field: string; value: string } {
  let best = { field: 'statement', value: '' }
  for (const field of ['Resource', 'NotResource', 'Action', 'NotAction'] as const)
    for (const v of asArray(st[field]))
      if (v.length > best.value.length) best = { field: field.toLowerCase(), value: v }
  if (st.Condition && JSON.stringify(st.Condition).length > best.value.length)
    best = { field: 'condition', value: JSON.stringify(st.Condition) }
  return best
}
