import type { CloudTrailEvent } from '../../events/cloudtrail-event.js'
import type { PrincipalSelector } from '../../events/principal.js'
import { type Finding, finding } from '../../findings.js'
import type { IdentityGraph } from '../../identity/graph.js'
import { type Clock, systemClock } from '../clock.js'
import { EventStore } from '../event-store.js'
import { DEFAULT_MAX_WAIT_MS, DEFAULT_SETTLE_MS, type SettleResult, settle } from '../settle.js'
import {
  type CollectProgress,
  lookupAttributeFor,
  lookupAttributesForGraph,
  lookupRegion,
  lookupRegionBy,
} from './lookup.js'
import type { CloudTrailLookup, LookupAttribute } from './lookup-port.js'
import { RegionLimiters } from './rate-limiter.js'

/**
 * Clocks drift and CloudTrail stamps eventTime on the server: ask for a little more than the window
 * so a call made in its first or last seconds is not lost.
 */
export const CLOCK_SKEW_PAD_MS = 60_000

/** IAM, STS (global endpoint), CloudFront and Route 53 events land in us-east-1. */
export const GLOBAL_REGION = 'us-east-1'

export function withGlobalRegion(regions: readonly string[]): string[] {
  const set = new Set(regions.map((r) => r.trim()).filter(Boolean))
  set.add(GLOBAL_REGION)
  return [...set].sort()
}

export interface LookupCollectRequest {
  lookup: CloudTrailLookup
  principal: PrincipalSelector
  /** The access key of the recorded session, when known: the most selective lookup attribute. */
  accessKeyId?: string
  /**
   * Collect an identity graph instead of one principal: its members' events, following the
   * sessions and service roles they hand work to. Each poll re-reads the window, so identities
   * found late (a key whose AssumeRole arrived after its calls) are collected on the next poll.
   */
  graph?: IdentityGraph
  window: { start: Date; end: Date }
  regions: readonly string[]
  settleMs?: number
  maxWaitMs?: number
  pollIntervalMs?: number
  clock?: Clock
  /** The per-region limiters; shared with a port that limits on the wire (createCloudTrailLookup). */
  limiters?: RegionLimiters
  signal?: AbortSignal
  onProgress?: (p: CollectProgress) => void
  /** Events already recorded (a resumed recording); only new ones are added. */
  seed?: { events: Iterable<CloudTrailEvent>; regionOf(e: CloudTrailEvent): string }
}

export interface LookupCollection {
  events: CloudTrailEvent[]
  regions: string[]
  attribute?: LookupAttribute
  perRegion: Record<string, number>
  settle: SettleResult
  findings: Finding[]
}

/** The `lookup` source: every region in parallel, rate-limited, polled until delivery settles. */
export async function collectLookup(req: LookupCollectRequest): Promise<LookupCollection> {
  const clock = req.clock ?? systemClock
  const regions = withGlobalRegion(req.regions)
  const attribute = req.graph ? undefined : lookupAttributeFor(req.principal, req.accessKeyId)
  const limiters = req.limiters ?? new RegionLimiters(clock)
  const store = new EventStore()
  if (req.seed) for (const e of req.seed.events) store.add(e, req.seed.regionOf(e))
  const padded = {
    start: new Date(req.window.start.getTime() - CLOCK_SKEW_PAD_MS),
    end: new Date(req.window.end.getTime() + CLOCK_SKEW_PAD_MS),
  }
  const result = await settle({
    regions,
    store,
    clock,
    settleMs: req.settleMs ?? DEFAULT_SETTLE_MS,
    maxWaitMs: req.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    windowEnd: req.window.end,
    ...(req.pollIntervalMs !== undefined ? { pollIntervalMs: req.pollIntervalMs } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    runPass: (region, poll) => {
      const pass = {
        lookup: req.lookup,
        limiter: limiters.for(region),
        clock,
        region,
        window: padded,
        principal: req.principal,
        poll,
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      }
      const graph = req.graph
      if (!graph) return lookupRegion(attribute ? { ...pass, attribute } : pass)
      const attributes = lookupAttributesForGraph(graph.roots, graph.accessKeys(), graph.passedRoles().length)
      return lookupRegionBy({ ...pass, keep: (e) => graph.admit(e) }, attributes)
    },
  })
  const findings: Finding[] = []
  for (const [region, f] of Object.entries(result.failedRegions)) {
    findings.push(
      finding(
        'collect.region-failed',
        `LookupEvents failed (${f.code}: ${f.message}); this region's activity is unknown, not empty`,
        region,
      ),
    )
  }
  if (result.throttles > 0) {
    findings.push(finding('collect.throttled', `${result.throttles} throttled request(s) were retried`))
  }
  if (result.unreadable > 0) {
    findings.push(
      finding(
        'input.invalid-json',
        `${result.unreadable} record(s) returned by LookupEvents were not JSON; skipped`,
      ),
    )
  }
  if (result.outcome !== 'complete') findings.push(finding('collect.incomplete', describeSettle(result)))
  const out: LookupCollection = {
    events: store.sorted(),
    regions,
    perRegion: store.perRegion(regions),
    settle: result,
    findings,
  }
  if (attribute) out.attribute = attribute
  return out
}

export function describeSettle(r: SettleResult): string {
  const waited = `${Math.round(r.waitedMs / 1000)} s, ${r.polls} poll(s)`
  switch (r.reason) {
    case 'settled':
      return `no new events for the settle period (${waited})`
    case 'max-wait':
      return `events were still arriving when --max-wait ran out (${waited}); collect --resume can top the recording up`
    case 'interrupted':
      return `interrupted before delivery settled (${waited}); collect --resume can top the recording up`
    case 'region-failed':
      return `region(s) ${Object.keys(r.failedRegions).sort().join(', ')} could not be collected (${waited})`
    case 'fatal':
      return `stopped by ${r.fatal?.code ?? 'an error'} (${waited})`
  }
}
