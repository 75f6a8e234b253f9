import type { Catalog } from '../catalog/catalog.js'
import { RISK_RULES } from '../creep/high-risk.js'
import { type Finding, finding } from '../findings.js'
import { arnMatches } from '../granted/wildcard.js'
import type { ConditionBlock } from '../policy/document.js'
import type { Evidence, Usage, UsedGrant } from '../reduce/usage.js'
import type { Creation, CreationIndex } from './provenance.js'
import { accountless, scopeFor } from './scope.js'

/**
 * Resource names widen only where the evidence shows they change between runs: a resource the
 * recordings created (its name or id is in a create call's request or response) is the deploy's
 * own, and the generated parts of its name (CloudFormation physical-id suffixes, UUIDs, timestamps,
 * counters, random hex) widen; a resource it only referenced keeps its exact ARN. Account ids,
 * region names and partitions never widen. A widening that leaves nothing of the name but an id
 * prefix (`sg-*`) or spans accounts (`arn:aws:s3:::…-*`) is scoped by what the deploy set (tags at
 * create, the account), or reported as a finding with its risk. Shared prefixes are the user's call
 * (`--resources prefix:<p>`), and even then identities (PassRole, AssumeRole, escalation actions)
 * keep one resource each.
 */
export type ResourceMode = { kind: 'exact' } | { kind: 'generalize' } | { kind: 'prefix'; prefixes: string[] }

export interface Generalization {
  /** `iam role`, `s3 bucket`, … */
  type: string
  from: string[]
  to: string
  /** What widened: `CloudFormation physical-id suffix`, `naming scope orders-api-*`, … */
  why: string
  /** Why it may: `created by ec2.amazonaws.com:CreateSecurityGroup (event …)`, `differs across recordings …`. */
  evidence: string[]
  /** Conditions added to keep the widening to the deploy's own resources (`aws:ResourceTag/k = v`). */
  scope: string[]
  /** What the widening admits when nothing could scope it. */
  risk?: string
}

export interface GeneralizeContext {
  /** What the inputs created; without it nothing counts as created and every ARN stays exact. */
  creations?: CreationIndex
  /** For the condition keys an action supports; without it only account conditions are added. */
  catalog?: Catalog
}

interface ParsedArn {
  head: string
  type: string
  /** The part that names the resource: after `role/`, `function:`, the bucket, … */
  name: string
}

const VOLATILE: readonly { re: RegExp; why: string; to: string }[] = [
  { re: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, why: 'UUID', to: '*' },
  // CloudFormation physical ids end in a 12-13 character suffix of letters and digits (lower case for buckets).
  {
    re: /(?<=-)(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{12,13}(?=$|[/:.])/g,
    why: 'CloudFormation physical-id suffix',
    to: '*',
  },
  { re: /(?<=[-_.])\d{8}T?\d{4,6}Z?(?=$|[-_/:.])/g, why: 'timestamp', to: '*' },
  { re: /(?<=[-_.])1\d{9}(\d{3})?(?=$|[-_/:.])/g, why: 'epoch timestamp', to: '*' },
  { re: /(?<=deployment-)\d+/gi, why: 'deployment counter', to: '*' },
  { re: /(?<=[-_.]v)\d+(?=$|[-_/:.])/g, why: 'version counter', to: '*' },
  {
    re: /(?<=[-_./])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?=$|[-_/:.])/g,
    why: 'random hex',
    to: '*',
  },
]
/**
 * Parts of a name that say where, not which: a 12-digit account id (it looks like a timestamp, and
 * S3 names are global, so widening it spans every account), a region name, a partition.
 */
const PROTECTED = [
  /(?<!\d)\d{12}(?!\d)/g,
  /(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d/g,
  /(?<![a-z])aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?(?![a-z])/g,
]
/** A numeric version or revision qualifier: Lambda `function:name:17`, ECS `task-definition/name:7`. */
const LAMBDA_VERSION =
  /^(arn:[^:]+:(?:lambda:[^:]*:[^:]*:function:[^:]+|ecs:[^:]*:[^:]*:task-definition\/[^:]+)):\d+$/

/**
 * Actions whose resource is an identity or a privilege: each keeps its own resource. Merging two
 * roles under one pattern would let a principal pass or assume the one it never used.
 */
const IDENTITY_ACTIONS = new Set(
  ['iam:PassRole', ...RISK_RULES.flatMap((r) => (r.actionOnAnyResource ? [r.actionOnAnyResource] : []))].map(
    (a) => a.toLowerCase(),
  ),
)
export function isIdentityAction(action: string): boolean {
  const a = action.toLowerCase()
  return IDENTITY_ACTIONS.has(a) || a.startsWith('sts:assumerole')
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return undefined
  const head = parts.slice(0, 5).join(':')
  const resource = parts.slice(5).join(':')
  const service = parts[2]!
  const sep = resource.search(/[/:]/)
  if (sep === -1)
    return {
      head: `${head}:`,
      type: `${service} ${service === 's3' ? 'bucket' : 'resource'}`,
      name: resource,
    }
  const kind = resource.slice(0, sep)
  if (service === 's3') return { head: `${head}:`, type: 's3 object', name: resource }
  return {
    head: `${head}:${resource.slice(0, sep + 1)}`,
    type: `${service} ${kind}`,
    name: resource.slice(sep + 1),
  }
}

/** Widens one name's volatile parts, never an account id, region or partition; returns the reasons. */
export function widenName(name: string): { name: string; why: string[] } {
  let out = name
  const why: string[] = []
  for (const v of VOLATILE) {
    const kept = protectedSpans(out)
    const next = out.replace(v.re, (m: string, ...args: unknown[]) => {
      const at = args.find((a) => typeof a === 'number') as number
      return kept.some(([s, e]) => at < e && at + m.length > s) ? m : v.to
    })
    if (next !== out) {
      why.push(v.why)
      out = next
    }
  }
  // Never let a name collapse to nothing but wildcards: that would name every resource of the type.
  if (/^[*/:.\-_]*$/.test(out)) return { name, why: [] }
  return { name: out.replace(/\*+/g, '*'), why }
}

function protectedSpans(s: string): [number, number][] {
  const spans: [number, number][] = []
  for (const re of PROTECTED) for (const m of s.matchAll(re)) spans.push([m.index, m.index + m[0].length])
  return spans
}

/**
 * True when nothing of the widened name is left but an id prefix and wildcards: `sg-*`, `i-*`,
 * `snap-*` name every resource of the type, so they must be scoped by a condition or reported.
 */
export function onlyWildcardName(pattern: string): boolean {
  const p = parseArn(pattern)
  if (!p) return false
  const rest = p.name.replace(/:\*$/, '').replace(/^[a-z]{1,12}-(?=\*)/, '')
  return /^[*/:.\-_]*$/.test(rest)
}

interface Widening {
  to: string
  why: string
  creations: Creation[]
}

export function generalizeUsage(
  usage: Usage,
  mode: ResourceMode,
  ctx: GeneralizeContext = {},
): { usage: Usage; report: Generalization[]; findings: Finding[] } {
  if (mode.kind === 'exact') return { usage, report: [], findings: [] }
  const arns = [...new Set(usage.grants.map((g) => g.resource).filter((r) => r !== '*'))].sort()
  return mode.kind === 'prefix' ? prefixScope(usage, arns, mode.prefixes) : widenCreated(usage, arns, ctx)
}

/** The default: widen the generated parts of created names, scoped by what the deploy set. */
function widenCreated(
  usage: Usage,
  arns: string[],
  ctx: GeneralizeContext,
): { usage: Usage; report: Generalization[]; findings: Finding[] } {
  const widened = new Map<string, Widening>()
  for (const arn of arns) {
    const creations = ctx.creations?.lookup(arn) ?? []
    // Referenced only: nothing says the name changes, so it stays exact.
    if (!creations.length) continue
    const lambda = LAMBDA_VERSION.exec(arn)
    const p = parseArn(lambda ? `${lambda[1]}` : arn)
    if (!p) continue
    const w = widenName(p.name)
    const why = lambda ? ['version qualifier', ...w.why] : w.why
    if (!why.length) continue
    widened.set(arn, { to: `${p.head}${w.name}${lambda ? ':*' : ''}`, why: why.join(', '), creations })
  }
  const groups = new Map<string, string[]>()
  for (const [arn, w] of widened) groups.set(w.to, [...(groups.get(w.to) ?? []), arn])
  const groupCreations = new Map<string, Creation[]>()
  for (const [to, members] of groups)
    groupCreations.set(
      to,
      members.flatMap((m) => widened.get(m)!.creations),
    )

  // pattern → `key = value` → the actions it conditions: one report line per condition.
  const scopes = new Map<string, Map<string, Set<string>>>()
  const unscoped = new Map<string, Set<string>>()
  const grants = usage.grants.map((g) => {
    const w = widened.get(g.resource)
    if (!w) return g
    const scope = scopeFor(g, g.resource, w.creations, groupCreations.get(w.to)!, ctx.catalog)
    const entries = Object.entries(scope.keys)
    if (entries.length) {
      const byKey = scopes.get(w.to) ?? new Map<string, Set<string>>()
      for (const [k, v] of entries) {
        const kv = `${k} = ${v.join(' | ')}`
        byKey.set(kv, (byKey.get(kv) ?? new Set()).add(g.action))
      }
      scopes.set(w.to, byKey)
    } else if (onlyWildcardName(w.to) || accountless(w.to)) {
      unscoped.set(w.to, (unscoped.get(w.to) ?? new Set()).add(g.action))
    }
    const out: UsedGrant = { ...g, resource: w.to }
    const condition = withKeys(g.condition, scope.keys)
    if (condition) out.condition = condition
    return out
  })

  const recordingsOf = new Map<string, Set<string>>()
  for (const g of usage.grants)
    for (const r of g.evidence.recordings)
      recordingsOf.set(g.resource, (recordingsOf.get(g.resource) ?? new Set()).add(r))
  const report: Generalization[] = []
  const findings: Finding[] = []
  for (const [to, from] of groups) {
    const first = widened.get(from[0]!)!
    const evidence = creationEvidence(groupCreations.get(to)!)
    const across = acrossRecordings(from, recordingsOf)
    if (across) evidence.push(across)
    const r: Generalization = {
      type: parseArn(from[0]!)?.type ?? 'resource',
      from,
      to,
      why: first.why,
      evidence,
      scope: [...(scopes.get(to) ?? new Map<string, Set<string>>())]
        .map(([kv, actions]) => `${kv} on ${[...actions].sort().join(', ')}`)
        .sort(),
    }
    const bare = unscoped.get(to)
    if (bare) {
      r.risk = riskOf(to, [...bare].sort())
      findings.push(
        finding(
          'resource.widened-unscoped',
          `${from.join(', ')} → ${to}: ${r.risk}; no tag set at create or account key can scope it for ${[...bare].sort().join(', ')}`,
          undefined,
          groupCreations.get(to)![0]?.eventId,
        ),
      )
    }
    report.push(r)
  }
  return {
    usage: { ...usage, grants: mergeGrants(grants) },
    report: report.sort((a, b) => (a.to < b.to ? -1 : 1)),
    findings,
  }
}

function withKeys(condition: ConditionBlock | undefined, keys: Record<string, string[]>) {
  if (!Object.keys(keys).length) return condition
  const equals = { ...(condition?.StringEquals ?? {}) }
  for (const [k, v] of Object.entries(keys)) equals[k] = v.length === 1 ? v[0]! : v
  return { ...(condition ?? {}), StringEquals: equals }
}

function creationEvidence(creations: readonly Creation[]): string[] {
  const byCall = new Map<string, Creation[]>()
  for (const c of creations) byCall.set(c.call, [...(byCall.get(c.call) ?? []), c])
  return [...byCall.entries()].sort().map(([call, list]) => {
    const ids = [...new Set(list.map((c) => c.eventId))].sort()
    const recs = [...new Set(list.flatMap((c) => (c.recording ? [c.recording] : [])))].sort()
    const via = list.some((c) => c.viaCloudFormation) ? ' via CloudFormation' : ''
    return `created by ${call}${via} (event ${ids.slice(0, 2).join(', ')}${ids.length > 2 ? ` +${ids.length - 2}` : ''}${recs.length ? ` in ${recs.join(', ')}` : ''})`
  })
}

/** What several recordings say about the names behind one pattern. */
function acrossRecordings(from: string[], recordingsOf: Map<string, Set<string>>): string | undefined {
  const seen = from.map((f) => [...(recordingsOf.get(f) ?? [])].sort().join(', '))
  const all = [...new Set(from.flatMap((f) => [...(recordingsOf.get(f) ?? [])]))].sort()
  if (all.length < 2) return undefined
  if (new Set(seen).size > 1)
    return `differs across recordings ${all.join(', ')}: ${from.map((f, i) => `${f} in ${seen[i]}`).join('; ')}`
  if (from.length > 1)
    return `${from.length} resources, each in recordings ${all.join(', ')} (none differs across them)`
  return `same name in recordings ${all.join(', ')} (one resource, created once)`
}

function riskOf(to: string, actions: string[]): string {
  const parts = to.split(':')
  const where = accountless(to)
    ? 'in every account'
    : `in account ${parts[4]}${parts[3] ? ` ${parts[3]}` : ''}`
  return `${actions.join(', ')} on every ${parseArn(to)?.type ?? 'resource'} matching ${to} ${where}`
}

/**
 * `--resources prefix:<p>`: the user's naming scope, for every resource type with a name. Identity
 * grants keep their exact resource: a naming scope is not a reason to pass or assume another role.
 * The report says how many recorded (action, resource) pairs the scope admits that no call used.
 */
function prefixScope(
  usage: Usage,
  arns: string[],
  prefixes: string[],
): { usage: Usage; report: Generalization[]; findings: Finding[] } {
  const mapping = new Map<string, { to: string; why: string }>()
  for (const arn of arns) {
    const p = parseArn(arn)
    const hit = p && prefixes.find((pre) => p.name.startsWith(pre) && p.name !== pre)
    if (p && hit) mapping.set(arn, { to: `${p.head}${hit}*`, why: `naming scope ${hit}*` })
  }
  const grants = usage.grants.map((g) => {
    const m = mapping.get(g.resource)
    return m && !isIdentityAction(g.action) ? { ...g, resource: m.to } : g
  })
  const groups = new Map<string, { why: string; from: string[] }>()
  for (const [from, { to, why }] of mapping) {
    const e = groups.get(to) ?? { why, from: [] }
    e.from.push(from)
    groups.set(to, e)
  }
  const report: Generalization[] = []
  const findings: Finding[] = []
  for (const [to, { why, from }] of groups) {
    const actions = new Set(grants.filter((g) => g.resource === to).map((g) => g.action))
    let admitted = 0
    for (const a of actions) {
      const used = new Set(usage.grants.filter((g) => g.action === a).map((g) => g.resource))
      admitted += arns.filter((r) => !used.has(r) && arnMatches(to, r)).length
    }
    const risk = `admits ${admitted} recorded (action, resource) pair${admitted === 1 ? '' : 's'} no call used, and every other resource named ${to}`
    report.push({
      type: parseArn(from[0]!)?.type ?? 'resource',
      from,
      to,
      why,
      evidence: ['--resources prefix: (explicit choice)'],
      scope: [],
      risk,
    })
    findings.push(finding('resource.prefix-scope', `${from.length} resource(s) → ${to}: ${risk}`))
  }
  // A typo in the prefix would otherwise look like a scope that worked: every name stays exact.
  const hits = new Set([...mapping.values()].map((m) => m.why))
  for (const pre of prefixes)
    if (!hits.has(`naming scope ${pre}*`))
      findings.push(
        finding(
          'resource.prefix-unmatched',
          `--resources prefix:${pre} matches no recorded resource name (a name must start with it and be longer); those resources keep their exact names`,
        ),
      )
  return {
    usage: { ...usage, grants: mergeGrants(grants) },
    report: report.sort((a, b) => (a.to < b.to ? -1 : 1)),
    findings,
  }
}

/** Grants that became equal are one grant with the evidence of both. */
export function mergeGrants(grants: UsedGrant[]): UsedGrant[] {
  const byKey = new Map<string, UsedGrant>()
  for (const g of grants) {
    const key = `${g.action}\u0000${g.resource}\u0000${g.condition ? JSON.stringify(g.condition) : ''}\u0000${g.instanceProfile ?? ''}`
    const prev = byKey.get(key)
    if (!prev) {
      byKey.set(key, g)
      continue
    }
    byKey.set(key, {
      ...prev,
      rules: union(prev.rules, g.rules),
      inferred: prev.inferred && g.inferred,
      unresolved: prev.unresolved && g.unresolved,
      evidence: mergeEvidence(prev.evidence, g.evidence),
    })
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g)
}

export function mergeEvidence(a: Evidence, b: Evidence): Evidence {
  return {
    count: a.count + b.count,
    firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
    lastSeen: a.lastSeen > b.lastSeen ? a.lastSeen : b.lastSeen,
    exampleEventId: a.exampleEventId < b.exampleEventId ? a.exampleEventId : b.exampleEventId,
    calls: union(a.calls, b.calls),
    via: union(a.via, b.via),
    recordings: union(a.recordings, b.recordings),
    regions: union(a.regions, b.regions),
    errorCodes: union(a.errorCodes, b.errorCodes),
    denied: a.denied + b.denied,
    errored: a.errored + b.errored,
  }
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].sort()
}
