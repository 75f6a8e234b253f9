import type { PolicyDiff } from '../diff/diff-policy.js'
import type { PolicyDocument } from '../policy/document.js'
import type { Usage } from '../reduce/usage.js'
import { RISK_RULES, type RiskyGrant } from './high-risk.js'

/**
 * The creep report's data model. `schema` is versioned: a field is only ever added; a change of
 * meaning bumps the version, and `--history` reads both. docs/creep.md documents every field.
 */
export const CREEP_SCHEMA = 'iamtrail-creep/1'

export interface UnusedAction {
  action: string
  /** When it was last used, from this window or from earlier reports in the history; absent if never seen. */
  lastUsed?: string
  /** Granted less than --grace ago (known from the history): not counted as creep yet. */
  inGrace?: boolean
}

export interface PrincipalReport {
  principal: string
  /** When IAM created the principal, when known (authorization details, IAM). */
  createdAt?: string
  /** Younger than the window or than --min-age: its "unused" is not yet meaningful. */
  tooYoung?: boolean
  granted: string[]
  used: string[]
  unused: UnusedAction[]
  /** Granted, not used, and CloudTrail cannot show it (data events, not-logged actions). */
  unknown: string[]
  missing: { action: string; resource: string; reason?: string }[]
  broad: { statement: string; action: string; grantedOn: string[]; usedOn: string[] }[]
  highRisk: (RiskyGrant & { used: boolean })[]
  /** The synthesized replacement from the window's usage. */
  proposed: PolicyDocument[]
  counts: {
    granted: number
    used: number
    unused: number
    unknown: number
    highRiskUnused: number
    /** unused / (granted − unknown), 0..1. */
    unusedShare: number
  }
  sinceLast?: SinceLast
  /** Past reports and this one, oldest first. */
  trend: TrendPoint[]
  /** Action → when it was last used, over this window and every earlier report (carried forward). */
  lastUsed: Record<string, string>
  /** Action → the first report that saw it granted (carried forward; drives --grace). */
  firstGranted: Record<string, string>
}

export interface SinceLast {
  /** The end of the previous report's window. */
  previousAt: string
  newGrants: string[]
  removedGrants: string[]
  newlyUsed: string[]
  stoppedUsed: string[]
}

export interface TrendPoint {
  at: string
  granted: number
  used: number
  unused: number
}

export interface Coverage {
  sources: string[]
  regions: string[]
  /** Things the report could not see: failed regions, unreadable files, missing data. */
  gaps: string[]
  /** Why some granted actions are `unknown` rather than `unused`. */
  blindSpots: string
}

export interface CreepReport {
  schema: typeof CREEP_SCHEMA
  generatedAt: string
  window: { start: string; end: string }
  settings: { minAge?: string; grace?: string; exclude: string[] }
  coverage: Coverage
  /** Principals ranked: unused high-risk grants first, then unused share. */
  ranking: { principal: string; highRiskUnused: number; unusedShare: number; tooYoung: boolean }[]
  principals: PrincipalReport[]
}

export interface PrincipalInput {
  usage: Usage
  diff: PolicyDiff
  risky: RiskyGrant[]
  proposed: PolicyDocument[]
  createdAt?: string
}

export interface ReportContext {
  window: { start: Date; end: Date }
  now: Date
  minAgeMs?: number
  graceMs?: number
  /** The previous report of this principal (from --history): its trend, last uses and first grants carry forward. */
  previous?: PrincipalReport
  previousAt?: string
}

const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort()

/** One principal's section of the report: pure, from its diff, its risky grants and the history. */
export function principalReport(input: PrincipalInput, ctx: ReportContext): PrincipalReport {
  const allow = input.diff.statements.filter((s) => s.effect === 'Allow')
  const used = uniqSorted(allow.flatMap((s) => s.used))
  const unknown = uniqSorted(allow.flatMap((s) => s.unknown))
  const unknownSet = new Set(unknown)
  const usedSet = new Set(used.map((a) => a.toLowerCase()))
  const granted = uniqSorted(
    allow.flatMap((s) => [...s.used, ...s.unused, ...s.unknown]).filter((a) => a.length > 0),
  )
  // Maps: actions come from policies and history files, and `lastUsed.constructor` is on every object.
  const lastUsed = new Map(Object.entries(ctx.previous?.lastUsed ?? {}))
  for (const g of input.usage.grants) {
    const prev = lastUsed.get(g.action)
    if (!prev || prev < g.evidence.lastSeen) lastUsed.set(g.action, g.evidence.lastSeen)
  }
  const nowIso = ctx.now.toISOString()
  const previousFirst = new Map(Object.entries(ctx.previous?.firstGranted ?? {}))
  const firstGranted = new Map<string, string>()
  for (const a of granted) firstGranted.set(a, previousFirst.get(a) ?? nowIso)
  const graceFrom =
    ctx.graceMs !== undefined ? new Date(ctx.now.getTime() - ctx.graceMs).toISOString() : undefined
  const unused: UnusedAction[] = granted
    .filter((a) => !usedSet.has(a.toLowerCase()) && !unknownSet.has(a))
    .map((action) => {
      const u: UnusedAction = { action }
      const last = lastUsed.get(action)
      if (last) u.lastUsed = last
      // Granted since the first report within the grace period: too new to call unused.
      const first = firstGranted.get(action)!
      if (graceFrom && ctx.previous && first > graceFrom) u.inGrace = true
      return u
    })
  const usedByStatement = new Map(allow.map((s) => [s.ref, s.used]))
  const highRisk = input.risky.map((r) => ({
    ...r,
    used: riskUsed(r, usedByStatement.get(r.statement) ?? []),
  }))
  const creeping = unused.filter((u) => !u.inGrace).length
  const denominator = granted.length - unknown.length
  const createdAt = input.createdAt
  const minAgeMs = Math.max(ctx.minAgeMs ?? 0, ctx.window.end.getTime() - ctx.window.start.getTime())
  const tooYoung = createdAt !== undefined && ctx.now.getTime() - Date.parse(createdAt) < minAgeMs
  const report: PrincipalReport = {
    principal: input.usage.principal,
    ...(createdAt ? { createdAt } : {}),
    ...(tooYoung ? { tooYoung } : {}),
    granted,
    used,
    unused,
    unknown,
    missing: input.diff.missing.map((m) => ({
      action: m.action,
      resource: m.resource,
      ...(m.reason ? { reason: m.reason } : {}),
    })),
    broad: allow.flatMap((s) => s.broad.map((b) => ({ statement: s.ref, ...b }))),
    highRisk,
    proposed: input.proposed,
    counts: {
      granted: granted.length,
      used: used.length,
      unused: creeping,
      unknown: unknown.length,
      highRiskUnused: highRisk.filter((h) => !h.used).length,
      unusedShare: denominator > 0 ? round(creeping / denominator) : 0,
    },
    trend: [
      ...(ctx.previous?.trend ?? []),
      { at: nowIso, granted: granted.length, used: used.length, unused: creeping },
    ],
    lastUsed: Object.fromEntries([...lastUsed].sort(([a], [b]) => (a < b ? -1 : 1))),
    firstGranted: Object.fromEntries(firstGranted),
  }
  if (ctx.previous && ctx.previousAt) report.sinceLast = sinceLast(ctx.previous, report, ctx.previousAt)
  return report
}

/**
 * Whether the principal used what makes a grant risky, under that statement: a service wildcard is
 * used when any action of the service was; `*`, `*:*` and NotAction when anything was; an action on
 * `*` when that action was.
 */
function riskUsed(r: RiskyGrant, usedHere: readonly string[]): boolean {
  const rule = RISK_RULES.find((x) => x.id === r.rule)
  const lower = usedHere.map((a) => a.toLowerCase())
  if (rule?.actionOnAnyResource) return lower.includes(rule.actionOnAnyResource.toLowerCase())
  const pattern = rule?.pattern
  if (pattern && pattern !== '*' && pattern !== '*:*')
    return lower.some((a) => a.startsWith(pattern.slice(0, -1)))
  return lower.length > 0
}

export function sinceLast(prev: PrincipalReport, cur: PrincipalReport, previousAt: string): SinceLast {
  const diff = (a: string[], b: string[]) => {
    const bs = new Set(b)
    return a.filter((x) => !bs.has(x))
  }
  return {
    previousAt,
    newGrants: diff(cur.granted, prev.granted),
    removedGrants: diff(prev.granted, cur.granted),
    newlyUsed: diff(cur.used, prev.used),
    stoppedUsed: diff(prev.used, cur.used),
  }
}

/** Unused high-risk grants first, then the unused share, then the name: a stable order. */
export function rank(principals: readonly PrincipalReport[]): CreepReport['ranking'] {
  return [...principals]
    .sort(
      (a, b) =>
        b.counts.highRiskUnused - a.counts.highRiskUnused ||
        b.counts.unusedShare - a.counts.unusedShare ||
        (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0),
    )
    .map((p) => ({
      principal: p.principal,
      highRiskUnused: p.counts.highRiskUnused,
      unusedShare: p.counts.unusedShare,
      tooYoung: p.tooYoung === true,
    }))
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
