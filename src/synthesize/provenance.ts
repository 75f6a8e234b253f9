import type { CloudTrailEvent, LocatedEvent } from '../events/cloudtrail-event.js'

/**
 * Which resources the recordings *created*, and with which tags: the evidence that a name belongs to
 * the deploy (so its generated parts change on the next run and may widen) rather than to something
 * it only referenced (a VPC, an AMI, a shared role, which keeps its exact ARN). A regex cannot tell
 * the two apart; a create call's request and response can. Bounded by created resources, not events.
 */
export interface Creation {
  /** A name, id or ARN the create call gave the new resource (`sg-0abc…`, `orders-api-prod-…`). */
  token: string
  eventId: string
  /** `eventSource:eventName` of the create call. */
  call: string
  /** What the call creates, lower case without separators: `securitygroup`, `instance`, `stack`. */
  noun: string
  recording?: string
  /** Tags the create request put on the resource (TagSpecifications, Tags, tags). */
  tags: Record<string, string>
  account?: string
  /** Made by CloudFormation for the principal (invokedBy cloudformation.amazonaws.com). */
  viaCloudFormation: boolean
}

/** Verbs whose noun the call brings into existence. `Put` creates only for the nouns listed below. */
const CREATE_VERB = /^(Create|Run|Register|Allocate|Request|Import|Copy|Clone|Launch|Publish|Provision)(.+)$/
const PUT_CREATES = new Set(['rule', 'parameter', 'secretvalue', 'object', 'metricalarm', 'loggroup'])
/**
 * `Start` creates a run (an automation execution, a build, a query, a session) whose id AWS makes
 * up, new on every deploy; it does not create the instance or cluster StartInstances starts.
 */
const START_CREATES = /^Start((?:[A-Z][a-z]+)*(?:Execution|Build|Job|Query|Session))$/
/** Lambda's event names carry API versions (`CreateFunction20150331`). */
const API_VERSION = /\d{8}(v\d+)?$/

/**
 * The noun an event creates (`securitygroup`, `instance`, `function`), or undefined when the event
 * creates nothing. Tag calls create tags, not resources.
 */
export function createdNoun(eventName: string): string | undefined {
  const name = eventName.replace(API_VERSION, '')
  const m = CREATE_VERB.exec(name)
  let noun = m?.[2]
  if (!noun && name.startsWith('Put') && PUT_CREATES.has(name.slice(3).toLowerCase())) noun = name.slice(3)
  if (!noun) noun = START_CREATES.exec(name)?.[1]
  if (!noun) return undefined
  const n = noun.toLowerCase().replace(/s$/, '')
  if (/tag$/.test(n)) return undefined
  return n
}

const ID_KEY = /^(.*?)(names?|ids?|arns?|key)$/

/**
 * Name-like leaves of a create call that name the created resource: `<noun>Name|Id|Arn` with a stem
 * the noun ends with (`groupId` for CreateSecurityGroup, `instanceId` for RunInstances), or a bare
 * `name|id|arn` at the top level or under an object named like the noun (`role.arn`). References in
 * the same call (`imageId` in RunInstances, `vpcId` in CreateSecurityGroup, `role` in
 * CreateFunction) do not match, so they stay referenced.
 */
function namingLeaves(value: unknown, noun: string, parent: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) namingLeaves(v, noun, parent, out)
    return
  }
  if (!value || typeof value !== 'object') return
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = k.toLowerCase()
    if (/^tag/.test(key)) continue
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      const m = ID_KEY.exec(key)
      if (!m) continue
      const stem = m[1]!
      const bare = stem === '' && m[2] !== 'key'
      const fits = bare
        ? parent === '' || noun.endsWith(parent) || parent.startsWith(noun)
        : stem !== '' && noun.endsWith(stem)
      if (!fits) continue
      for (const s of typeof v === 'string' ? [v] : (v as string[])) if (s.length >= 3) out.add(s)
      continue
    }
    // EC2 wraps lists as `instancesSet.items[]`: the item belongs to the set's noun.
    const next = key === 'items' || key === 'item' ? parent : key.replace(/(set|list)$/, '').replace(/s$/, '')
    namingLeaves(v, noun, next, out)
  }
}

/** Tags of a create request in any of the shapes AWS APIs use. */
export function requestTags(params: unknown): Record<string, string> {
  // A Map until the end: tag keys are input data, and `tags.__proto__ = v` on an object drops the tag.
  const tags = new Map<string, string>()
  const add = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const t of v) {
        if (!t || typeof t !== 'object') continue
        const o = t as Record<string, unknown>
        const k = o.key ?? o.Key
        const val = o.value ?? o.Value ?? ''
        if (typeof k === 'string' && typeof val === 'string') tags.set(k, val)
      }
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>
      if (Array.isArray(o.items)) add(o.items)
      else for (const [k, val] of Object.entries(o)) if (typeof val === 'string') tags.set(k, val)
    }
  }
  const walk = (v: unknown, depth: number) => {
    if (depth > 4 || !v || typeof v !== 'object') return
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1)
      return
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (/^(tags|tagset|tagsList)$/i.test(k)) add(val)
      else if (/^tagspecification/i.test(k)) walk(val, depth + 1)
      else if (/^items$/i.test(k)) walk(val, depth + 1)
    }
  }
  walk(params, 0)
  return Object.fromEntries(tags)
}

/** The tokens one event created, with what the index needs of it. */
export function creationsOf(event: CloudTrailEvent, recording?: string): Creation[] {
  if (event.errorCode) return []
  const noun = createdNoun(event.eventName)
  if (!noun) return []
  const tokens = new Set<string>()
  const stacks = new Set<string>()
  const req = event.requestParameters ?? {}
  namingLeaves(req, noun, '', tokens)
  namingLeaves(event.responseElements ?? {}, noun, '', tokens)
  // A change set of type CREATE creates its stack too; an object is named by its bucket and key.
  if (event.eventName === 'CreateChangeSet' && String(req.changeSetType ?? '').toUpperCase() === 'CREATE') {
    if (typeof req.stackName === 'string') stacks.add(req.stackName)
    const id = event.responseElements?.stackId
    if (typeof id === 'string') stacks.add(id)
  }
  if (noun === 'object' && typeof req.bucketName === 'string' && typeof req.key === 'string')
    tokens.add(`${req.bucketName}/${req.key}`)
  const tags = requestTags(req)
  const account = event.recipientAccountId ?? event.userIdentity?.accountId
  const viaCloudFormation =
    event.userIdentity?.invokedBy === 'cloudformation.amazonaws.com' ||
    event.sourceIPAddress === 'cloudformation.amazonaws.com'
  const named = [
    ...[...tokens].map((t) => [t, noun] as const),
    ...[...stacks].map((t) => [t, 'stack'] as const),
  ]
  return named.sort().map(([token, what]) => {
    const c: Creation = {
      token,
      eventId: event.eventID,
      call: `${event.eventSource}:${event.eventName}`,
      noun: what,
      tags,
      viaCloudFormation,
    }
    if (recording !== undefined) c.recording = recording
    if (account !== undefined) c.account = account
    return c
  })
}

/** Collects creations while the inputs stream by; plain data in and out, so slices can merge. */
export class CreationCollector {
  private readonly list: Creation[] = []
  add({ event, origin }: LocatedEvent): void {
    for (const c of creationsOf(event, origin.recording)) this.list.push(c)
  }
  absorb(list: readonly Creation[]): void {
    for (const c of list) this.list.push(c)
  }
  snapshot(): Creation[] {
    return [...this.list]
  }
  /** Streams events through unchanged, noting what they create. */
  async *tap<T extends LocatedEvent>(events: AsyncIterable<T>): AsyncIterable<T> {
    for await (const e of events) {
      this.add(e)
      yield e
    }
  }
  index(): CreationIndex {
    return new CreationIndex(this.list)
  }
}

/** Looks up the create calls behind an ARN. */
export class CreationIndex {
  private readonly byToken = new Map<string, Creation[]>()
  constructor(readonly creations: readonly Creation[] = []) {
    const sorted = [...creations].sort((a, b) =>
      a.token === b.token ? (a.eventId < b.eventId ? -1 : 1) : a.token < b.token ? -1 : 1,
    )
    for (const c of sorted) {
      const l = this.byToken.get(c.token) ?? []
      if (!l.some((x) => x.eventId === c.eventId)) l.push(c)
      this.byToken.set(c.token, l)
    }
  }

  /**
   * The creations of the resource an ARN names: by the whole ARN, its name part, the name without a
   * version qualifier (`function:f:17`), its last path segment (`instance/i-…`), or, for stacks and
   * change sets, the name before the id.
   */
  lookup(arn: string): Creation[] {
    const parts = arn.split(':')
    if (parts.length < 6) return []
    const service = parts[2]!
    const resource = parts.slice(5).join(':')
    const sep = resource.search(/[/:]/)
    const name = service === 's3' || sep === -1 ? resource : resource.slice(sep + 1)
    const kind =
      service === 's3'
        ? resource.includes('/')
          ? 'object'
          : 'bucket'
        : sep === -1
          ? ''
          : resource.slice(0, sep)
    const type = kind.toLowerCase().replace(/[^a-z0-9]/g, '')
    const names = new Set<string>([name, name.replace(/:\d+$/, '')])
    const last = name.split(/[/:]/).filter(Boolean).at(-1)
    if (last) names.add(last)
    if (service === 'cloudformation') names.add(name.split('/')[0]!)
    const out: Creation[] = [
      ...(this.byToken.get(arn) ?? []),
      ...(this.byToken.get(arn.replace(/:\d+$/, '')) ?? []),
    ]
    // A bare name says nothing of its type: a service, a target group and a task definition may
    // share one, so only a creation of the ARN's resource type counts.
    const fits = (noun: string) => !type || noun === type || noun.endsWith(type) || type.endsWith(noun)
    for (const n of names) for (const x of this.byToken.get(n) ?? []) if (fits(x.noun)) out.push(x)
    const seen = new Set<string>()
    return out.filter((c) => !seen.has(c.eventId) && seen.add(c.eventId))
  }
}
