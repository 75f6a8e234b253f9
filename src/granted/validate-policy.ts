import { IamtrailError } from '../errors.js'
import type { PolicyStatement } from '../policy/document.js'

/**
 * The condition operators IAM accepts (IAM JSON policy elements: Condition operators). IAM refuses
 * to create a policy with any other operator, so a granted policy that has one was not read from
 * IAM as it stands: it is rejected here rather than evaluated by guessing.
 */
const OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
])

/** Elements IAM allows only one of in a statement. */
const EXCLUSIVE = [
  ['Action', 'NotAction'],
  ['Resource', 'NotResource'],
  ['Principal', 'NotPrincipal'],
] as const

export function isConditionOperator(op: string): boolean {
  let base = op.replace(/^(ForAnyValue|ForAllValues):/, '')
  if (base === 'Null') return true
  if (base.endsWith('IfExists')) base = base.slice(0, -'IfExists'.length)
  return OPERATORS.has(base)
}

/**
 * Checks one statement the way IAM's policy validation does, so the evaluator only ever sees shapes
 * it understands: a malformed statement is the user's input error (exit 1, named), not a crash.
 */
export function validateStatement(s: unknown, where: string, index: number): PolicyStatement {
  const fail = (why: string, sid?: unknown): never => {
    const name =
      typeof sid === 'string' ? `Statement[${index}] (Sid ${JSON.stringify(sid)})` : `Statement[${index}]`
    throw new IamtrailError(`${where}: ${name} ${why}`)
  }
  if (s === null || typeof s !== 'object' || Array.isArray(s))
    return fail(
      `is ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}, not a statement object`,
    )
  const st = s as Record<string, unknown>
  const sid = st.Sid
  if (sid !== undefined && typeof sid !== 'string') fail('has a Sid that is not a string')
  if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
    fail(
      `has ${st.Effect === undefined ? 'no Effect' : `Effect ${JSON.stringify(st.Effect)}`}: IAM accepts only "Allow" or "Deny"`,
      sid,
    )
  for (const [a, b] of EXCLUSIVE)
    if (st[a] !== undefined && st[b] !== undefined)
      fail(`has both ${a} and ${b}: IAM rejects a statement with both`, sid)
  if (st.Action === undefined && st.NotAction === undefined) fail('has neither Action nor NotAction', sid)
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const v = st[field]
    if (v === undefined) continue
    const list = Array.isArray(v) ? v : [v]
    if (list.length === 0) fail(`has an empty ${field}`, sid)
    const bad = list.find((x) => typeof x !== 'string' || x === '')
    if (bad !== undefined) fail(`has ${field} ${JSON.stringify(bad)}: each must be a non-empty string`, sid)
  }
  if (st.Condition !== undefined) validateCondition(st.Condition, (why) => fail(why, sid))
  return st as unknown as PolicyStatement
}

function validateCondition(c: unknown, fail: (why: string) => never): void {
  if (!isObject(c)) fail(`has Condition ${JSON.stringify(c)}: it must be an object of operators`)
  for (const [op, keys] of Object.entries(c as Record<string, unknown>)) {
    if (!isConditionOperator(op))
      fail(
        `uses condition operator ${JSON.stringify(op)}, which IAM does not have (IAM rejects unknown operators when a policy is created)`,
      )
    if (!isObject(keys))
      fail(`has Condition ${op} ${JSON.stringify(keys)}: it must be an object of condition keys and values`)
    for (const [key, v] of Object.entries(keys as Record<string, unknown>)) {
      const list = Array.isArray(v) ? v : [v]
      if (list.some((x) => !['string', 'number', 'boolean'].includes(typeof x)))
        fail(`has Condition ${op} ${key} ${JSON.stringify(v)}: values must be strings, numbers or booleans`)
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}
