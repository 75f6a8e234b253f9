import { calledVia, isDenied } from '../events/called-via.js'
import type { CloudTrailEvent, LocatedEvent } from '../events/cloudtrail-event.js'
import type { EventMapping } from './mapping.js'
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

  constructor(readonly principal: string) {}

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
      const key = `${g.action}\u0000${g.resource}\u0000${g.condition ? JSON.stringify(g.condition) : ''}\u0000${g.instanceProfile ?? ''}`
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
