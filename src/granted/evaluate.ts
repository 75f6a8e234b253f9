import { asArray, type PolicyDocument, type PolicyStatement } from '../policy/document.js'
import { evaluateConditions } from './conditions.js'
import type { AuthzRequest } from './request.js'
import { substituteVariables } from './variables.js'
import { actionMatches, arnMatches } from './wildcard.js'

/** Where a statement came from, so answers can name it. */
export interface NamedPolicy {
  name: string
  document: PolicyDocument
}

export interface StatementRef {
  policy: string
  index: number
  sid?: string
}

export type Decision =
  | { result: 'allowed'; by: StatementRef[] }
  | { result: 'denied'; reason: 'explicit-deny' | 'no-allow' | 'boundary' | 'scp'; by: StatementRef[] }
  | { result: 'conditional'; keys: string[]; by: StatementRef[] }

export interface GrantedPolicies {
  identity: NamedPolicy[]
  /** A permission boundary: an action must be allowed by it too. */
  boundary?: NamedPolicy[]
  /** Service control policies: an action must be allowed by them too. */
  scps?: NamedPolicy[]
}

type Applies = 'yes' | 'no' | { unknown: string[] }

/**
 * Identity-based evaluation as AWS documents it: an explicit Deny wins; otherwise an Allow is needed
 * in the identity policies, and in the boundary and SCPs when present. A statement whose condition
 * reads keys we cannot know makes the answer `conditional`, with those keys.
 */
export function evaluate(req: AuthzRequest, granted: GrantedPolicies): Decision {
  const sets: [NamedPolicy[], 'identity' | 'boundary' | 'scp'][] = [[granted.identity, 'identity']]
  if (granted.boundary?.length) sets.push([granted.boundary, 'boundary'])
  if (granted.scps?.length) sets.push([granted.scps, 'scp'])
  const unknownKeys: string[] = []
  const allowedBy: StatementRef[] = []
  let conditional = false
  for (const [policies, kind] of sets) {
    const r = evaluateSet(req, policies)
    if (r.denyYes.length) return { result: 'denied', reason: 'explicit-deny', by: r.denyYes }
    if (r.allowYes.length && !r.denyMaybe.length) {
      if (kind === 'identity') allowedBy.push(...r.allowYes)
      continue
    }
    if (r.allowYes.length || r.allowMaybe.length) {
      conditional = true
      unknownKeys.push(...r.keys)
      if (kind === 'identity') allowedBy.push(...r.allowYes, ...r.allowMaybe)
      continue
    }
    return { result: 'denied', reason: kind === 'identity' ? 'no-allow' : kind, by: [] }
  }
  if (conditional) return { result: 'conditional', keys: [...new Set(unknownKeys)].sort(), by: allowedBy }
  return { result: 'allowed', by: allowedBy }
}

function evaluateSet(req: AuthzRequest, policies: NamedPolicy[]) {
  const out = {
    allowYes: [] as StatementRef[],
    allowMaybe: [] as StatementRef[],
    denyYes: [] as StatementRef[],
    denyMaybe: [] as StatementRef[],
    keys: [] as string[],
  }
  for (const p of policies) {
    p.document.Statement.forEach((s, index) => {
      const a = statementApplies(s, req)
      if (a === 'no') return
      const ref: StatementRef = { policy: p.name, index }
      if (s.Sid) ref.sid = s.Sid
      if (a === 'yes') (s.Effect === 'Deny' ? out.denyYes : out.allowYes).push(ref)
      else {
        ;(s.Effect === 'Deny' ? out.denyMaybe : out.allowMaybe).push(ref)
        out.keys.push(...a.unknown)
      }
    })
  }
  return out
}

export function statementApplies(s: PolicyStatement, req: AuthzRequest): Applies {
  if (s.Action !== undefined && !asArray(s.Action).some((p) => actionMatches(p, req.action))) return 'no'
  if (s.NotAction !== undefined && asArray(s.NotAction).some((p) => actionMatches(p, req.action))) return 'no'
  const unknown: string[] = []
  const resourceMatch = (patterns: string[]) =>
    patterns.some((p) => {
      const v = substituteVariables(p, req.context, { literalWildcards: true })
      if (v.unknown.length) {
        unknown.push(...v.unknown)
        return false
      }
      return arnMatches(v.value, req.resource)
    })
  if (s.Resource !== undefined && !resourceMatch(asArray(s.Resource)))
    return unknown.length ? { unknown } : 'no'
  if (s.NotResource !== undefined && resourceMatch(asArray(s.NotResource))) return 'no'
  if (unknown.length) return { unknown }
  const c = evaluateConditions(s.Condition, req)
  if (c.kind === 'false') return 'no'
  if (c.kind === 'unknown') return { unknown: c.keys }
  return 'yes'
}
