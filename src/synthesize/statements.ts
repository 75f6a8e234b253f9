import type { ConditionBlock, PolicyDocument, PolicyStatement } from '../policy/document.js'
import type { Usage, UsedGrant } from '../reduce/usage.js'

export interface SynthesisOptions {
  /** Leave out permissions that were only ever denied during the recording. */
  excludeDenied?: boolean
  /** Access level of an action (Read, List, Write, …), for readable Sids. */
  accessLevel?: (action: string) => string | undefined
  /** Regions used, for an aws:RequestedRegion condition on regional actions (`--restrict-regions`). */
  restrictRegions?: readonly string[]
}

/**
 * Usage → one policy document. Per service, actions that share the same resource set and
 * condition share a statement. Everything is sorted, so the same usage always gives the same bytes.
 */
export function synthesizePolicy(usage: Usage, opts: SynthesisOptions = {}): PolicyDocument {
  const byKey = new Map<
    string,
    { service: string; condition?: ConditionBlock; actions: Map<string, Set<string>> }
  >()
  for (const g of keptGrants(usage, opts)) {
    const service = g.action.split(':')[0]!
    const condition = withRegions(g, opts.restrictRegions)
    const cond = condition ? canonicalJson(condition) : ''
    const key = `${service}\u0000${cond}`
    let entry = byKey.get(key)
    if (!entry) {
      entry = { service, actions: new Map() }
      if (condition) entry.condition = condition
      byKey.set(key, entry)
    }
    let resources = entry.actions.get(g.action)
    if (!resources) {
      resources = new Set()
      entry.actions.set(g.action, resources)
    }
    resources.add(g.resource)
  }
  const statements: { sortKey: string; service: string; stmt: PolicyStatement }[] = []
  for (const entry of byKey.values()) {
    const groups = new Map<string, { actions: string[]; resources: string[] }>()
    for (const [action, set] of entry.actions) {
      // "*" already covers every ARN the action was used on.
      const resources = set.has('*') ? ['*'] : [...set].sort()
      const rkey = resources.join('\u0000')
      const group = groups.get(rkey)
      if (group) group.actions.push(action)
      else groups.set(rkey, { actions: [action], resources })
    }
    for (const { actions, resources } of groups.values()) {
      actions.sort()
      const stmt: PolicyStatement = { Effect: 'Allow', Action: actions, Resource: resources }
      if (entry.condition) stmt.Condition = entry.condition
      statements.push({ sortKey: `${actions[0]}\u0000${resources[0]}`, service: entry.service, stmt })
    }
  }
  statements.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
  const used = new Map<string, number>()
  return {
    Version: '2012-10-17',
    Statement: statements.map(({ service, stmt }) => {
      const base = sidFor(service, stmt, opts)
      const n = (used.get(base) ?? 0) + 1
      used.set(base, n)
      return { Sid: n === 1 ? base : `${base}${n}`, ...stmt }
    }),
  }
}

/** `LambdaWrite`, `S3Read`, `PassRoleToLambda`, `Ec2TagOnCreate`: what a reviewer reads first. */
function sidFor(service: string, stmt: PolicyStatement, opts: SynthesisOptions): string {
  const actions = stmt.Action as string[]
  const passedTo = (stmt.Condition?.StringEquals?.['iam:PassedToService'] as string | undefined) ?? ''
  if (actions.length === 1 && actions[0] === 'iam:PassRole' && passedTo) {
    return `PassRoleTo${pascal(String(passedTo).replace(/\.amazonaws\.com$/, ''))}`
  }
  if (stmt.Condition?.StringEquals?.['ec2:CreateAction']) return 'Ec2TagOnCreate'
  const levels = new Set(actions.map((a) => opts.accessLevel?.(a)))
  const kind = [...levels].every((l) => l === 'Read' || l === 'List') ? 'Read' : 'Write'
  return `${pascal(service)}${kind}`
}

/** The grants a synthesized policy must cover: what `--verify` replays. */
export function keptGrants(usage: Usage, opts: SynthesisOptions = {}): UsedGrant[] {
  const named = new Set(usage.grants.filter((g) => g.resource !== '*').map((g) => g.action))
  return usage.grants.filter(
    (g) =>
      !(opts.excludeDenied && g.evidence.denied === g.evidence.count) && !isRedundantFailedCall(g, named),
  )
}

/**
 * A call that failed (throttled, not found) without naming its resource, for an action that other
 * calls used on named resources: the retry that succeeded is the evidence, and granting the failed
 * attempt "*" would widen the policy for nothing. A denied call is never dropped this way.
 */
export function isRedundantFailedCall(g: UsedGrant, named: ReadonlySet<string>): boolean {
  return (
    g.resource === '*' &&
    g.unresolved &&
    g.evidence.errored === g.evidence.count &&
    g.evidence.denied === 0 &&
    named.has(g.action)
  )
}

/** Global services (IAM, STS, CloudFront, Route 53, …) have no region in their ARNs and are left alone. */
const GLOBAL = new Set([
  'iam',
  'sts',
  'cloudfront',
  'route53',
  'organizations',
  'account',
  'budgets',
  'ce',
  'health',
  'support',
  'waf',
  'globalaccelerator',
  'trustedadvisor',
])

function withRegions(g: UsedGrant, regions: readonly string[] | undefined) {
  if (!regions?.length) return g.condition
  const service = g.action.split(':')[0]!
  if (
    GLOBAL.has(service) ||
    (g.action.startsWith('s3:') && /^s3:(ListAllMyBuckets|CreateBucket)$/.test(g.action))
  )
    return g.condition
  return {
    ...(g.condition ?? {}),
    StringEquals: { ...(g.condition?.StringEquals ?? {}), 'aws:RequestedRegion': [...regions].sort() },
  }
}

function pascal(s: string): string {
  return s
    .split(/[^a-zA-Z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
}

/** JSON with sorted keys, so equal conditions compare equal whatever order they were built in. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v)
}
