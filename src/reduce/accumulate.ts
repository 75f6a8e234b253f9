import { calledVia, isDenied } from '../events/called-via.js'
import type { CloudTrailEvent, LocatedEvent } from '../events/cloudtrail-event.js'
import { accountOf, partitionOf } from './event-values.js'
import { roleArnOf } from './implied.js'
import type { EventMapping, MappedGrant } from './mapping.js'
import type { Usage, UsedGrant } from './usage.js'

interface GrantState {
  grant: Omit<UsedGrant, 'rules' | 'evidence'>
  rules: Set<string>
  count: number
  firstSeen: string
  lastSeen: string
  exampleEventId: string
  calls: Set<string>
  via: Set<string>
  recordings: Set<string>
  regions: Set<string>
  errorCodes: Set<string>
  denied: number
  errored: number
  allUnresolved: boolean
  /** False once any event proved the action directly. */
  onlyInferred: boolean
  /**
   * Partition and account of the calls behind a deferred iam:PassRole (instance profile), kept when
   * the accumulator holds one slice of the inputs: the merge resolves it as the whole stream would have.
   */
  context?: { partition: string; account: string | undefined }
}

/**
 * The accumulator's state as plain data (structured-clone safe): what a worker thread sends back for
 * its slice of the inputs. Bounded by distinct grants and calls, never by events.
 */
export interface AccumulatorSnapshot {
  principal: string
  grants: [string, GrantState][]
  unmapped: [string, { reason: string; count: number; exampleEventId: string }][]
  excluded: [string, { rule: string; reason: string; count: number }][]
  regions: string[]
  recordings: string[]
  sample: CloudTrailEvent | undefined
}

function grantKey(g: Pick<MappedGrant, 'action' | 'resource' | 'condition' | 'instanceProfile'>): string {
  return `${g.action}\u0000${g.resource}\u0000${g.condition ? JSON.stringify(g.condition) : ''}\u0000${g.instanceProfile ?? ''}`
}

/** What partitionOf/accountOf read: enough of an event to stand for the principal's sample. */
function sampleOf(e: CloudTrailEvent): CloudTrailEvent {
  const { eventSource, eventName, eventTime, eventID, awsRegion, recipientAccountId, userIdentity } = e
  const sample: CloudTrailEvent = { eventSource, eventName, eventTime, eventID, awsRegion }
  if (recipientAccountId !== undefined) sample.recipientAccountId = recipientAccountId
  if (userIdentity !== undefined) sample.userIdentity = userIdentity
  return sample
}

function mergeState(into: GrantState, from: GrantState): void {
  into.count += from.count
  if (from.firstSeen < into.firstSeen) into.firstSeen = from.firstSeen
  if (from.lastSeen > into.lastSeen) into.lastSeen = from.lastSeen
  if (from.exampleEventId < into.exampleEventId) into.exampleEventId = from.exampleEventId
  for (const k of ['rules', 'calls', 'via', 'recordings', 'regions', 'errorCodes'] as const) {
    for (const v of from[k]) into[k].add(v)
  }
  into.denied += from.denied
  into.errored += from.errored
  into.allUnresolved &&= from.allUnresolved
  into.onlyInferred &&= from.onlyInferred
}

/**
 * Folds mapped events into Usage. Pure: callers feed it (event, mapping) pairs in any order and get
 * the same result, because every collection is sorted on the way out.
 */
export class UsageAccumulator {
  private readonly grants = new Map<string, GrantState>()
  private readonly unmapped = new Map<string, { reason: string; count: number; exampleEventId: string }>()
  private readonly excluded = new Map<string, { rule: string; reason: string; count: number }>()
  private readonly regions = new Set<string>()
  private readonly recordings = new Set<string>()

  /** One event of the principal, for partition and account when resolving deferred ARNs. */
  private sample: CloudTrailEvent | undefined

  /**
   * `slice`: this accumulator holds one contiguous slice of the inputs (a worker's batch), to be merged
   * with `absorb`; deferred instance-profile grants then keep the partition and account of their calls.
   */
  constructor(
    readonly principal: string,
    private readonly slice = false,
  ) {}

  add({ event, origin }: LocatedEvent, mapping: EventMapping): void {
    const call = `${event.eventSource}:${event.eventName}`
    if (mapping.kind === 'excluded') {
      const e = this.excluded.get(call)
      if (e) e.count++
      else this.excluded.set(call, { rule: mapping.rule, reason: mapping.reason, count: 1 })
      return
    }
    if (mapping.kind === 'unmapped') {
      const u = this.unmapped.get(call)
      if (u) u.count++
      else this.unmapped.set(call, { reason: mapping.reason, count: 1, exampleEventId: event.eventID })
      return
    }
    this.sample ??= event
    this.regions.add(event.awsRegion)
    if (origin.recording) this.recordings.add(origin.recording)
    const via = calledVia(event)
    const denied = isDenied(event)
    for (const g of mapping.grants) {
      let key = grantKey(g)
      const context =
        this.slice && g.instanceProfile
          ? { partition: partitionOf(event), account: accountOf(event) }
          : undefined
      if (context) key += `\u0000${context.partition}\u0000${context.account}`
      let s = this.grants.get(key)
      if (!s) {
        const grant: Omit<UsedGrant, 'rules' | 'evidence'> = {
          action: g.action,
          resource: g.resource,
          inferred: true,
          unresolved: true,
        }
        if (g.condition) grant.condition = g.condition
        if (g.instanceProfile) grant.instanceProfile = g.instanceProfile
        s = {
          grant,
          rules: new Set(),
          count: 0,
          firstSeen: event.eventTime,
          lastSeen: event.eventTime,
          exampleEventId: event.eventID,
          calls: new Set(),
          via: new Set(),
          recordings: new Set(),
          regions: new Set(),
          errorCodes: new Set(),
          denied: 0,
          errored: 0,
          allUnresolved: true,
          onlyInferred: true,
        }
        if (context) s.context = context
        this.grants.set(key, s)
      }
      s.count++
      s.rules.add(g.inferredBy ?? g.rule)
      if (!g.inferredBy) s.onlyInferred = false
      if (event.eventTime < s.firstSeen) s.firstSeen = event.eventTime
      if (event.eventTime > s.lastSeen) s.lastSeen = event.eventTime
      // The smallest event id keeps the example stable whatever order inputs are read in.
      if (event.eventID < s.exampleEventId) s.exampleEventId = event.eventID
      s.calls.add(call)
      s.via.add(via)
      if (origin.recording) s.recordings.add(origin.recording)
      s.regions.add(event.awsRegion)
      if (event.errorCode) s.errorCodes.add(event.errorCode)
      if (denied) s.denied++
      if (event.errorCode) s.errored++
      if (!g.unresolved) s.allUnresolved = false
    }
  }

  snapshot(): AccumulatorSnapshot {
    return {
      principal: this.principal,
      grants: [...this.grants],
      unmapped: [...this.unmapped],
      excluded: [...this.excluded],
      regions: [...this.regions],
      recordings: [...this.recordings],
      sample: this.sample && sampleOf(this.sample),
    }
  }

  /**
   * Merges the snapshot of the next slice of the inputs, in input order, so that the result is the one
   * a single pass over all of them gives: the first unmapped/excluded reason and sample win, and a
   * deferred instance-profile grant resolves with `profiles`, the roles the earlier slices taught.
   */
  absorb(snap: AccumulatorSnapshot, profiles: ReadonlyMap<string, string>): void {
    this.sample ??= snap.sample
    for (const r of snap.regions) this.regions.add(r)
    for (const r of snap.recordings) this.recordings.add(r)
    for (const [call, u] of snap.unmapped) {
      const mine = this.unmapped.get(call)
      if (mine) mine.count += u.count
      else this.unmapped.set(call, { ...u })
    }
    for (const [call, e] of snap.excluded) {
      const mine = this.excluded.get(call)
      if (mine) mine.count += e.count
      else this.excluded.set(call, { ...e })
    }
    for (const [, state] of snap.grants) {
      const { context, ...s } = state
      const role = context && s.grant.instanceProfile ? profiles.get(s.grant.instanceProfile) : undefined
      if (context && role) {
        // What the single pass did: the role was known when the call came, so the grant names it.
        const { instanceProfile: _, ...rest } = s.grant
        s.grant = { ...rest, resource: roleArnOf(role, context.partition, context.account) }
        s.allUnresolved = false
      }
      const key = grantKey(s.grant)
      const mine = this.grants.get(key)
      if (mine) mergeState(mine, s)
      else this.grants.set(key, s)
    }
  }

  /** `profileRole` resolves instance profiles whose role the stream showed after the call that used them. */
  result(profileRole?: (profile: string, like: CloudTrailEvent | undefined) => string | undefined): Usage {
    const sorted = <T>(s: Set<T>) => [...s].sort()
    const grants: UsedGrant[] = [...this.grants.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => {
        const role = s.grant.instanceProfile ? profileRole?.(s.grant.instanceProfile, this.sample) : undefined
        const grant = role
          ? { ...s.grant, resource: role, unresolved: false, instanceProfile: undefined }
          : s.grant
        if (role) delete grant.instanceProfile
        return {
          ...grant,
          inferred: s.onlyInferred,
          unresolved: role ? false : s.allUnresolved,
          rules: sorted(s.rules),
          evidence: {
            count: s.count,
            firstSeen: s.firstSeen,
            lastSeen: s.lastSeen,
            exampleEventId: s.exampleEventId,
            calls: sorted(s.calls),
            via: sorted(s.via),
            recordings: sorted(s.recordings),
            regions: sorted(s.regions),
            errorCodes: sorted(s.errorCodes),
            denied: s.denied,
            errored: s.errored,
          },
        }
      })
    return {
      principal: this.principal,
      grants,
      unmapped: [...this.unmapped.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([call, u]) => ({ call, ...u })),
      excluded: [...this.excluded.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([call, e]) => ({ call, ...e })),
      regions: sorted(this.regions),
      recordings: sorted(this.recordings),
    }
  }
}
