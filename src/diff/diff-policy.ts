import { requestsFor } from '../granted/context.js'
import { type Decision, evaluate, type GrantedPolicies, type StatementRef } from '../granted/evaluate.js'
import { asArray } from '../policy/document.js'
import type { Usage, UsedGrant } from '../reduce/usage.js'
import { blindSpotOf } from './blind-spots.js'

export interface UsedCheck {
  action: string
  resource: string
  decision: Decision['result']
  /** Statements that allowed (or would allow) it; for a denial, the denying statements. */
  by: string[]
  keys?: string[]
  reason?: string
  count: number
  lastSeen: string
}

export interface StatementDiff {
  ref: string
  effect: 'Allow' | 'Deny'
  /** How many actions the statement grants once wildcards are expanded. */
  granted: number
  used: string[]
  unused: string[]
  /** Granted, not used, and CloudTrail could not have shown it. */
  unknown: string[]
  /**
   * Actions used only on named resources but granted on patterns that name none (`*`, `role/*`);
   * a pattern that keeps a name (`role/app-*`, `stack/app/*`) is scoped, whatever its region or account.
   */
  broad: { action: string; grantedOn: string[]; usedOn: string[] }[]
}

export interface PolicyDiff {
  schema: 'iamtrail-diff/1'
  principal: string
  used: UsedCheck[]
  missing: UsedCheck[]
  conditional: UsedCheck[]
  statements: StatementDiff[]
  summary: {
    usedGrants: number
    allowed: number
    denied: number
    conditional: number
    grantedActions: number
    usedActions: number
    unusedActions: number
    unknownActions: number
    broad: number
  }
}

/** Statement label → the actions it grants, expanded with the Service Authorization Reference. */
export type ExpandedStatements = ReadonlyMap<string, readonly string[]>

export function statementLabel(ref: StatementRef): string {
  return `${ref.policy}#${ref.sid ?? ref.index}`
}

/**
 * Used vs granted. For every used grant: allowed, denied or conditional, and by what. For every
 * granted Allow statement: which of its actions were used, which were not, which CloudTrail could
 * not show, and where a wildcard resource covers what was only used on named resources.
 */
export function diffPolicy(
  usage: Usage,
  granted: GrantedPolicies,
  expanded: ExpandedStatements,
  /** What the recordings establish about each call (tags set at create, the resource's account). */
  factsOf?: (g: UsedGrant) => Record<string, string[]>,
): PolicyDiff {
  const used: UsedCheck[] = []
  const usedActions = new Set<string>()
  const byStatement = new Map<
    string,
    { actions: Set<string>; broad: Map<string, Set<string>>; needsWildcard: Set<string> }
  >()
  const sawDataEvents = usage.grants.some((g) => !g.inferred && blindSpotOf(g.action) === 'data-event')
  for (const g of usage.grants) {
    usedActions.add(g.action.toLowerCase())
    const decision = worst(requestsFor(g, usage.principal, factsOf?.(g)).map((r) => evaluate(r, granted)))
    const check: UsedCheck = {
      action: g.action,
      resource: g.resource,
      decision: decision.result,
      by: decision.by.map(statementLabel),
      count: g.evidence.count,
      lastSeen: g.evidence.lastSeen,
    }
    if (decision.result === 'conditional') check.keys = decision.keys
    if (decision.result === 'denied') check.reason = decision.reason
    used.push(check)
    for (const ref of decision.by) {
      const label = statementLabel(ref)
      let s = byStatement.get(label)
      if (!s) {
        s = { actions: new Set(), broad: new Map(), needsWildcard: new Set() }
        byStatement.set(label, s)
      }
      s.actions.add(g.action)
      // A Deny that blocked a call is in use (it is doing its job); breadth is a question for Allows.
      if (decision.result === 'denied') continue
      // A use that itself names nothing (tag-on-create's `security-group/*`, an action on `*`)
      // needs the wildcard: the statement is no broader than that use for this action.
      if (namesNothing(g.resource)) s.needsWildcard.add(g.action)
      else if (grantsOnlyUnnamed(granted, ref)) {
        const set = s.broad.get(g.action) ?? new Set()
        set.add(g.resource)
        s.broad.set(g.action, set)
      }
    }
  }
  const deniedOutright = outrightDenials(granted, expanded)
  const statements: StatementDiff[] = []
  for (const p of [...granted.identity]) {
    p.document.Statement.forEach((st, index) => {
      const ref: StatementRef = { policy: p.name, index }
      if (st.Sid) ref.sid = st.Sid
      const label = statementLabel(ref)
      const actions = expanded.get(label) ?? []
      const s = byStatement.get(label)
      // An action a Deny takes away everywhere is not granted, so it cannot be an unused grant.
      const unusedAll = actions.filter(
        (a) => !usedActions.has(a.toLowerCase()) && !deniedOutright.has(a.toLowerCase()),
      )
      const unknown = unusedAll.filter((a) => {
        const spot = blindSpotOf(a)
        return spot === 'not-logged' || (spot === 'data-event' && !sawDataEvents)
      })
      const unknownSet = new Set(unknown)
      statements.push({
        ref: label,
        effect: st.Effect,
        granted: actions.length,
        used: [...(s?.actions ?? [])].sort(),
        unused: st.Effect === 'Allow' ? unusedAll.filter((a) => !unknownSet.has(a)) : [],
        unknown: st.Effect === 'Allow' ? unknown : [],
        broad: [...(s?.broad ?? new Map<string, Set<string>>()).entries()]
          .filter(([action]) => !s?.needsWildcard.has(action))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([action, on]) => ({ action, grantedOn: resourcesOf(st), usedOn: [...on].sort() })),
      })
    })
  }
  const allowStatements = statements.filter((s) => s.effect === 'Allow')
  const union = (pick: (s: StatementDiff) => string[]) => new Set(allowStatements.flatMap(pick)).size
  return {
    schema: 'iamtrail-diff/1',
    principal: usage.principal,
    used,
    missing: used.filter((u) => u.decision === 'denied'),
    conditional: used.filter((u) => u.decision === 'conditional'),
    statements,
    summary: {
      usedGrants: used.length,
      allowed: used.filter((u) => u.decision === 'allowed').length,
      denied: used.filter((u) => u.decision === 'denied').length,
      conditional: used.filter((u) => u.decision === 'conditional').length,
      grantedActions: union((s) => [...(expanded.get(s.ref) ?? [])]),
      // Granted and used: what was used without being granted is counted in `denied`.
      usedActions: union((s) => s.used),
      unusedActions: union((s) => s.unused),
      unknownActions: union((s) => s.unknown),
      broad: allowStatements.reduce((n, s) => n + s.broad.length, 0),
    },
  }
}

/** Actions an identity Deny without a condition takes away on every resource (`Resource: "*"`). */
function outrightDenials(granted: GrantedPolicies, expanded: ExpandedStatements): Set<string> {
  const out = new Set<string>()
  for (const p of granted.identity)
    p.document.Statement.forEach((st, index) => {
      if (st.Effect !== 'Deny' || st.Condition !== undefined || st.NotResource !== undefined) return
      if (!asArray(st.Resource).includes('*')) return
      const ref: StatementRef = st.Sid ? { policy: p.name, index, sid: st.Sid } : { policy: p.name, index }
      for (const a of expanded.get(statementLabel(ref)) ?? []) out.add(a.toLowerCase())
    })
  return out
}

/** Across regions the weakest answer holds: denied over conditional over allowed. */
function worst(ds: Decision[]): Decision {
  return ds.find((d) => d.result === 'denied') ?? ds.find((d) => d.result === 'conditional') ?? ds[0]!
}

function resourcesOf(st: { Resource?: string | string[]; NotResource?: string | string[] }): string[] {
  if (st.NotResource !== undefined) return asArray(st.NotResource).map((r) => `NOT ${r}`)
  return asArray(st.Resource)
}

function grantsOnlyUnnamed(granted: GrantedPolicies, ref: StatementRef): boolean {
  const st = granted.identity.find((p) => p.name === ref.policy)?.document.Statement[ref.index]
  if (!st) return false
  if (st.NotResource !== undefined) return true
  return asArray(st.Resource).every(namesNothing)
}

/**
 * `*`, or an ARN whose resource part is `*`, `type/*` or `type:*`: it covers every resource of a
 * kind. Region and account wildcards do not count, since a portable policy has them by design and
 * still names its resources.
 */
export function namesNothing(pattern: string): boolean {
  if (pattern === '*') return true
  const parts = pattern.split(':')
  if (parts.length < 6) return /[*?]/.test(pattern)
  const resource = parts.slice(5).join(':')
  // S3 ARNs have no resource type: `bucket/*` names its bucket.
  if (parts[2] === 's3') return /^[*?/]*\*[*?/]*$/.test(resource)
  // After the resource type, nothing but wildcards and separators (`stack/*/*`, `log-group:*`).
  return /^([^*?/:]+[/:])?[*?/:]*\*[*?/:]*$/.test(resource)
}
