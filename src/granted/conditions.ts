import type { ConditionBlock } from '../policy/document.js'
import { asArray } from '../policy/document.js'
import type { AuthzRequest } from './request.js'
import { substituteVariables } from './variables.js'
import { arnMatches, globMatcher } from './wildcard.js'

/** A condition is true, false, or cannot be decided because it reads keys the request does not tell us. */
export type Tri = { kind: 'true' } | { kind: 'false' } | { kind: 'unknown'; keys: string[] }

const TRUE: Tri = { kind: 'true' }
const FALSE: Tri = { kind: 'false' }

/** All operators of a Condition block must hold (AND); within one operator, all keys (AND). */
export function evaluateConditions(block: ConditionBlock | undefined, req: AuthzRequest): Tri {
  if (!block) return TRUE
  const unknown: string[] = []
  for (const [op, keys] of Object.entries(block)) {
    for (const [key, rawValues] of Object.entries(keys)) {
      const r = evaluateOne(op, key, asArray(rawValues).map(String), req)
      if (r.kind === 'false') return FALSE
      if (r.kind === 'unknown') unknown.push(...r.keys)
    }
  }
  return unknown.length ? { kind: 'unknown', keys: [...new Set(unknown)] } : TRUE
}

function evaluateOne(rawOp: string, key: string, policyValues: string[], req: AuthzRequest): Tri {
  let op = rawOp
  let set: 'any' | 'all' | undefined
  if (op.startsWith('ForAnyValue:')) {
    set = 'any'
    op = op.slice('ForAnyValue:'.length)
  } else if (op.startsWith('ForAllValues:')) {
    set = 'all'
    op = op.slice('ForAllValues:'.length)
  }
  const ifExists = op.endsWith('IfExists')
  if (ifExists) op = op.slice(0, -'IfExists'.length)
  const lk = key.toLowerCase()
  const known = req.context.get(lk)
  if (op === 'Null') {
    if (known === undefined) return { kind: 'unknown', keys: [key] }
    const wantAbsent = policyValues.some((v) => v.toLowerCase() === 'true')
    return (known.length === 0) === wantAbsent ? TRUE : FALSE
  }
  const values: string[] = []
  for (const v of policyValues) {
    const s = substituteVariables(v, req.context)
    if (s.unknown.length) return { kind: 'unknown', keys: s.unknown }
    values.push(s.value)
  }
  if (known === undefined) return { kind: 'unknown', keys: [key] }
  const negated = /Not/.test(op) && op !== 'NotIpAddress' ? true : op === 'NotIpAddress'
  if (known.length === 0) {
    // Absent key: IfExists and ForAllValues hold vacuously; negated operators hold; others do not.
    if (ifExists || set === 'all') return TRUE
    if (set === 'any') return FALSE
    return negated ? TRUE : FALSE
  }
  const match = matcher(op)
  if (!match) return { kind: 'unknown', keys: [`${rawOp} (unsupported operator)`] }
  const test = (ctx: string) => values.some((pv) => match(ctx, pv))
  if (set === 'all')
    return known.every((ctx) => (negated ? !values.some((pv) => match(ctx, pv)) : test(ctx))) ? TRUE : FALSE
  if (set === 'any')
    return known.some((ctx) => (negated ? !values.some((pv) => match(ctx, pv)) : test(ctx))) ? TRUE : FALSE
  // Plain operator: a negated one holds when no context value matches any policy value.
  if (negated) return known.some((ctx) => values.some((pv) => match(ctx, pv))) ? FALSE : TRUE
  return known.some(test) ? TRUE : FALSE
}

type Match = (ctx: string, policy: string) => boolean

/** The positive form of each operator; negation is applied by the caller. */
function matcher(op: string): Match | undefined {
  switch (op) {
    case 'StringEquals':
    case 'StringNotEquals':
      return (c, p) => c === p
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return (c, p) => c.toLowerCase() === p.toLowerCase()
    case 'StringLike':
    case 'StringNotLike':
      return (c, p) => globMatcher(p, false).test(c)
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return (c, p) => arnMatches(p, c)
    case 'NumericEquals':
    case 'NumericNotEquals':
      return numeric((a, b) => a === b)
    case 'NumericLessThan':
      return numeric((a, b) => a < b)
    case 'NumericLessThanEquals':
      return numeric((a, b) => a <= b)
    case 'NumericGreaterThan':
      return numeric((a, b) => a > b)
    case 'NumericGreaterThanEquals':
      return numeric((a, b) => a >= b)
    case 'DateEquals':
    case 'DateNotEquals':
      return date((a, b) => a === b)
    case 'DateLessThan':
      return date((a, b) => a < b)
    case 'DateLessThanEquals':
      return date((a, b) => a <= b)
    case 'DateGreaterThan':
      return date((a, b) => a > b)
    case 'DateGreaterThanEquals':
      return date((a, b) => a >= b)
    case 'Bool':
      return (c, p) => c.toLowerCase() === p.toLowerCase()
    case 'BinaryEquals':
      return (c, p) => c === p
    case 'IpAddress':
    case 'NotIpAddress':
      return (c, p) => ipInCidr(c, p)
    default:
      return undefined
  }
}

function numeric(cmp: (a: number, b: number) => boolean): Match {
  return (c, p) => {
    const a = Number(c)
    const b = Number(p)
    return !Number.isNaN(a) && !Number.isNaN(b) && cmp(a, b)
  }
}

/** Dates are ISO-8601 or epoch seconds, on either side. */
function date(cmp: (a: number, b: number) => boolean): Match {
  const parse = (s: string) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s))
  return (c, p) => {
    const a = parse(c)
    const b = parse(p)
    return !Number.isNaN(a) && !Number.isNaN(b) && cmp(a, b)
  }
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/')
  const a = ipToBigInt(ip)
  const n = ipToBigInt(net ?? '')
  if (!a || !n || a.v6 !== n.v6) return false
  const width = a.v6 ? 128 : 32
  const bits = bitsText === undefined ? width : Number(bitsText)
  if (!(bits >= 0 && bits <= width)) return false
  const shift = BigInt(width - bits)
  return a.value >> shift === n.value >> shift
}

function ipToBigInt(s: string): { value: bigint; v6: boolean } | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) {
    const parts = s.split('.').map(Number)
    if (parts.some((x) => x > 255)) return undefined
    return { value: parts.reduce((acc, x) => (acc << 8n) + BigInt(x), 0n), v6: false }
  }
  if (!s.includes(':')) return undefined
  const [head, tail] = s.split('::') as [string, string | undefined]
  const h = head ? head.split(':') : []
  const t = tail ? tail.split(':') : []
  const fill = s.includes('::') ? 8 - h.length - t.length : 0
  const groups = [...h, ...Array(fill).fill('0'), ...t]
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined
  return { value: groups.reduce((acc, g) => (acc << 16n) + BigInt(Number.parseInt(g, 16)), 0n), v6: true }
}
