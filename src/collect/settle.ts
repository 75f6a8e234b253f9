import pLimit from 'p-limit'
import type { AwsFailure } from '../aws/aws-errors.js'
import type { Clock } from './clock.js'
import type { EventStore } from './event-store.js'
import type { CollectProgress, RegionPass } from './lookup/lookup.js'

/**
 * CloudTrail delivers an event about 5 minutes after the call, with no guarantee. A collection is
 * complete only once events have stopped arriving: poll every region until nothing new has come
 * for `settleMs`, or give up after `maxWaitMs` and say so.
 */
export const DEFAULT_SETTLE_MS = 5 * 60_000
export const DEFAULT_MAX_WAIT_MS = 20 * 60_000

/** A region that failed this many polls in a row is given up on once the others have settled. */
export const REGION_FAILURES_TO_GIVE_UP = 3

export type SettleReason = 'settled' | 'max-wait' | 'interrupted' | 'region-failed' | 'fatal'

export interface SettleOptions {
  regions: readonly string[]
  runPass(region: string, poll: number): Promise<RegionPass>
  store: EventStore
  clock: Clock
  settleMs: number
  maxWaitMs: number
  /** Quiet is counted from here at the earliest: events of a window that just ended are still on their way. */
  windowEnd: Date
  /** Regions polled at once; each still has its own rate limit. */
  concurrency?: number
  pollIntervalMs?: number
  signal?: AbortSignal
  onProgress?: (p: CollectProgress) => void
}

export interface SettleResult {
  outcome: 'complete' | 'possibly incomplete'
  reason: SettleReason
  polls: number
  waitedMs: number
  /** Regions whose last pass failed, with why. */
  failedRegions: Record<string, AwsFailure>
  /** A credentials or permission failure: collecting further cannot help. */
  fatal?: AwsFailure
  throttles: number
  unreadable: number
}

/** Between polls: often enough to see the quiet end on time, rarely enough to spare the 2 req/s budget. */
export function defaultPollInterval(settleMs: number): number {
  return Math.min(30_000, Math.max(200, Math.round(settleMs / 5)))
}

export async function settle(o: SettleOptions): Promise<SettleResult> {
  const limit = pLimit(o.concurrency ?? 8)
  const pollInterval = o.pollIntervalMs ?? defaultPollInterval(o.settleMs)
  const started = o.clock.now()
  let quietSince = o.windowEnd.getTime()
  const failedRegions: Record<string, AwsFailure> = {}
  const failuresInARow: Record<string, number> = {}
  let throttles = 0
  let unreadable = 0
  let poll = 0
  const finish = (
    outcome: SettleResult['outcome'],
    reason: SettleReason,
    fatal?: AwsFailure,
  ): SettleResult => {
    const r: SettleResult = {
      outcome,
      reason,
      polls: poll,
      waitedMs: o.clock.now() - started,
      failedRegions,
      throttles,
      unreadable,
    }
    if (fatal) r.fatal = fatal
    return r
  }
  for (;;) {
    poll++
    const passes = await Promise.all(o.regions.map((region) => limit(() => o.runPass(region, poll))))
    let fresh = 0
    let fatal: AwsFailure | undefined
    for (const pass of passes) {
      throttles += pass.throttles
      unreadable += pass.unreadable
      for (const e of pass.events) if (o.store.add(e, pass.region)) fresh++
      if (pass.failure && pass.failure.kind !== 'aborted') {
        failedRegions[pass.region] = pass.failure
        failuresInARow[pass.region] = (failuresInARow[pass.region] ?? 0) + 1
        if (pass.failure.kind === 'credentials' || pass.failure.kind === 'access-denied')
          fatal ??= pass.failure
      } else if (!pass.failure) {
        delete failedRegions[pass.region]
        failuresInARow[pass.region] = 0
      }
    }
    const now = o.clock.now()
    // Everything the first poll finds was delivered at some point before it; only later arrivals
    // prove that delivery is still going on.
    if (poll > 1 && fresh > 0) quietSince = Math.max(quietSince, now)
    o.onProgress?.({
      kind: 'poll-done',
      poll,
      fresh,
      total: o.store.size,
      perRegion: o.store.perRegion(o.regions),
    })
    if (o.signal?.aborted) return finish('possibly incomplete', 'interrupted')
    if (fatal) return finish('possibly incomplete', 'fatal', fatal)
    const failing = Object.keys(failedRegions)
    // Nothing found yet is no sign of quiet: CloudTrail may not have delivered anything so far
    // (5 minutes on average, no guarantee). An empty collection waits until --max-wait after the
    // window end before it concludes there is nothing.
    const quietFor = o.store.size === 0 ? Math.max(o.settleMs, o.maxWaitMs) : o.settleMs
    const settled = now - quietSince >= quietFor
    if (settled && failing.length === 0) return finish('complete', 'settled')
    if (settled && failing.every((r) => (failuresInARow[r] ?? 0) >= REGION_FAILURES_TO_GIVE_UP)) {
      return finish('possibly incomplete', 'region-failed')
    }
    if (now - started >= o.maxWaitMs) {
      return finish('possibly incomplete', failing.length ? 'region-failed' : 'max-wait')
    }
    const settleLeftMs = Math.max(0, quietSince + quietFor - now)
    const maxWaitLeftMs = Math.max(0, started + o.maxWaitMs - now)
    o.onProgress?.({ kind: 'waiting', poll, settleLeftMs, maxWaitLeftMs })
    const pause = Math.min(
      settleLeftMs > 0 ? Math.min(pollInterval, settleLeftMs) : pollInterval,
      maxWaitLeftMs,
    )
    await o.clock.sleep(pause, o.signal)
    if (o.signal?.aborted) return finish('possibly incomplete', 'interrupted')
  }
}
