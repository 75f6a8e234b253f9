import type { Evidence, Usage, UsedGrant } from '../reduce/usage.js'

/**
 * Resource names that change between runs of the same deploy are widened, and only those parts:
 * CloudFormation physical-id suffixes, UUIDs, timestamps, version and deployment counters, random
 * hex. Names of one resource type that share a prefix are then scoped by it. Nothing widens across
 * resource types, accounts or partitions, and a named resource never becomes "*".
 */
export type ResourceMode = { kind: 'exact' } | { kind: 'generalize' } | { kind: 'prefix'; prefixes: string[] }

export interface Generalization {
  /** `iam role`, `s3 bucket`, … */
  type: string
  from: string[]
  to: string
  why: string
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
/** A numeric version or revision qualifier: Lambda `function:name:17`, ECS `task-definition/name:7`. */
const LAMBDA_VERSION =
  /^(arn:[^:]+:(?:lambda:[^:]*:[^:]*:function:[^:]+|ecs:[^:]*:[^:]*:task-definition\/[^:]+)):\d+$/

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

/** Widens one name's volatile parts; returns the reasons it applied. */
export function widenName(name: string): { name: string; why: string[] } {
  let out = name
  const why: string[] = []
  for (const v of VOLATILE) {
    const next = out.replace(v.re, v.to)
    if (next !== out) {
      why.push(v.why)
      out = next
    }
  }
  // Never let a name collapse to nothing but wildcards: that would name every resource of the type.
  if (/^[*/:.\-_]*$/.test(out)) return { name, why: [] }
  return { name: out.replace(/\*+/g, '*'), why }
}

export function generalizeUsage(
  usage: Usage,
  mode: ResourceMode,
): { usage: Usage; report: Generalization[] } {
  if (mode.kind === 'exact') return { usage, report: [] }
  const mapping = new Map<string, { to: string; why: string }>()
  const arns = [...new Set(usage.grants.map((g) => g.resource).filter((r) => r !== '*'))].sort()
  if (mode.kind === 'prefix') {
    for (const arn of arns) {
      const p = parseArn(arn)
      const hit = p && mode.prefixes.find((pre) => p.name.startsWith(pre) && p.name !== pre)
      if (p && hit) mapping.set(arn, { to: `${p.head}${hit}*`, why: `naming scope ${hit}*` })
    }
  } else {
    const byType = new Map<string, { arn: string; head: string; name: string; why: string[] }[]>()
    for (const arn of arns) {
      const lambda = LAMBDA_VERSION.exec(arn)
      const p = parseArn(lambda ? `${lambda[1]}` : arn)
      if (!p) continue
      const w = widenName(p.name)
      const why = lambda ? ['version qualifier', ...w.why] : w.why
      const key = `${p.head}\u0000${p.type}`
      const list = byType.get(key) ?? []
      list.push({ arn, head: p.head, name: w.name, why })
      byType.set(key, list)
      if (lambda) mapping.set(arn, { to: `${p.head}${w.name}:*`, why: why.join(', ') })
      else if (why.length) mapping.set(arn, { to: `${p.head}${w.name}`, why: why.join(', ') })
    }
    for (const list of byType.values()) {
      const names = [...new Set(list.map((x) => x.name))]
      if (names.length < 2) continue
      const prefix = sharedPrefix(names)
      if (!prefix) continue
      for (const x of list)
        mapping.set(x.arn, {
          to: `${x.head}${prefix}*${x.arn.match(LAMBDA_VERSION) ? ':*' : ''}`,
          why: `shared prefix ${prefix}*`,
        })
    }
  }
  const report = new Map<string, Generalization>()
  for (const [from, { to, why }] of mapping) {
    const type = parseArn(from)?.type ?? 'resource'
    const key = `${type}\u0000${to}`
    const r = report.get(key)
    if (r) r.from.push(from)
    else report.set(key, { type, from: [from], to, why })
  }
  const grants = mergeGrants(
    usage.grants.map((g) => (mapping.has(g.resource) ? { ...g, resource: mapping.get(g.resource)!.to } : g)),
  )
  return {
    usage: { ...usage, grants },
    report: [...report.values()].sort((a, b) => (a.to < b.to ? -1 : 1)),
  }
}

/**
 * The longest prefix of all names that ends at a separator and keeps at least two words, so
 * `myapp-prod-api` and `myapp-prod-worker` share `myapp-prod-`, and `a-x` / `b-y` share nothing.
 */
function sharedPrefix(names: string[]): string | undefined {
  let p = names[0]!
  for (const n of names) {
    let i = 0
    while (i < p.length && i < n.length && p[i] === n[i]) i++
    p = p.slice(0, i)
  }
  const cut = Math.max(p.lastIndexOf('-'), p.lastIndexOf('_'), p.lastIndexOf('/'), p.lastIndexOf('.'))
  if (cut < 0) return undefined
  const prefix = p.slice(0, cut + 1)
  const words = prefix.split(/[-_/.]/).filter(Boolean)
  if (words.length < 2 || prefix.replace(/[^A-Za-z0-9]/g, '').length < 6) return undefined
  return prefix
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
