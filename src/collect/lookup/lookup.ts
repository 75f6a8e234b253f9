import { type AwsFailure, classifyAwsError } from '../../aws/aws-errors.js'
import { isOwnCall } from '../../aws/sdk-config.js'
import type { CloudTrailEvent } from '../../events/cloudtrail-event.js'
import { matchesPrincipal, type PrincipalSelector } from '../../events/principal.js'
import { inWindow, type TimeWindow } from '../../events/time-window.js'
import type { Clock } from '../clock.js'
import type { CloudTrailLookup, LookupAttribute } from './lookup-port.js'
import type { RateLimiter } from './rate-limiter.js'

/** Progress of a collection, for the display on stderr; the collector never prints. */
export type CollectProgress =
  | { kind: 'page'; region: string; poll: number; pages: number; matched: number }
  | { kind: 'throttled'; region: string; retryInMs: number }
  | { kind: 'region-failed'; region: string; failure: AwsFailure }
  | { kind: 'poll-done'; poll: number; fresh: number; total: number; perRegion: Record<string, number> }
  | { kind: 'waiting'; poll: number; settleLeftMs: number; maxWaitLeftMs: number }

export interface RegionPassRequest {
  lookup: CloudTrailLookup
  limiter: RateLimiter
  clock: Clock
  region: string
  attribute?: LookupAttribute
  /** Already padded for clock skew: the range asked of CloudTrail and kept on the client. */
  window: { start: Date; end: Date }
  principal: PrincipalSelector
  /** Which events to keep, when not just the principal's (an identity graph's `admit`). */
  keep?: (e: CloudTrailEvent) => boolean
  poll: number
  signal?: AbortSignal
  onProgress?: (p: CollectProgress) => void
}

export interface RegionPass {
  region: string
  events: CloudTrailEvent[]
  pages: number
  throttles: number
  /** Records CloudTrail returned that were not JSON; they cannot be kept. */
  unreadable: number
  failure?: AwsFailure
}

/**
 * Throttling that outlasts the SDK's own adaptive retries is retried here, from the same page
 * token, after an exponential pause: 1 s, 2 s, 4 s, … up to 6 tries before the region is reported.
 */
export const THROTTLE_RETRIES = 6
const THROTTLE_BASE_MS = 1000
const THROTTLE_CAP_MS = 16_000

/**
 * One pass over one region: every page of the window, each request through the region's limiter.
 * Events of other principals, outside the window, or made by iamtrail itself are dropped. A
 * failure ends the pass but keeps what earlier pages returned.
 */
export async function lookupRegion(req: RegionPassRequest): Promise<RegionPass> {
  const pass: RegionPass = { region: req.region, events: [], pages: 0, throttles: 0, unreadable: 0 }
  const window: TimeWindow = { start: req.window.start, end: req.window.end }
  let nextToken: string | undefined
  let throttledInARow = 0
  // Not do…while: a `continue` after throttling must retry the page, not test for a next token.
  for (;;) {
    // A port that limits on the wire (the SDK port) takes the token itself, per HTTP attempt.
    if (!req.lookup.limitsRate) await req.limiter.acquire(req.signal)
    if (req.signal?.aborted) return { ...pass, failure: abortedFailure() }
    let page: Awaited<ReturnType<CloudTrailLookup['lookupEvents']>>
    try {
      page = await req.lookup.lookupEvents(
        {
          region: req.region,
          start: req.window.start,
          end: req.window.end,
          ...(req.attribute ? { attribute: req.attribute } : {}),
          ...(nextToken ? { nextToken } : {}),
        },
        req.signal,
      )
    } catch (err) {
      const failure = classifyAwsError(err)
      if (failure.kind === 'throttled' && throttledInARow < THROTTLE_RETRIES) {
        const retryInMs = Math.min(THROTTLE_BASE_MS * 2 ** throttledInARow, THROTTLE_CAP_MS)
        throttledInARow++
        pass.throttles++
        req.onProgress?.({ kind: 'throttled', region: req.region, retryInMs })
        await req.clock.sleep(retryInMs, req.signal)
        continue
      }
      if (req.signal?.aborted) return { ...pass, failure: abortedFailure() }
      req.onProgress?.({ kind: 'region-failed', region: req.region, failure })
      return { ...pass, failure }
    }
    throttledInARow = 0
    pass.pages++
    for (const raw of page.records) {
      let e: CloudTrailEvent
      try {
        e = JSON.parse(raw) as CloudTrailEvent
      } catch {
        pass.unreadable++
        continue
      }
      if (isOwnCall(e.userAgent)) continue
      if (!inWindow(e.eventTime, window)) continue
      if (!(req.keep ? req.keep(e) : matchesPrincipal(e, req.principal))) continue
      pass.events.push(e)
    }
    req.onProgress?.({
      kind: 'page',
      region: req.region,
      poll: req.poll,
      pages: pass.pages,
      matched: pass.events.length,
    })
    nextToken = page.nextToken
    if (!nextToken) return pass
  }
}

function abortedFailure(): AwsFailure {
  return { kind: 'aborted', code: 'AbortError', message: 'interrupted' }
}

/**
 * One pass per lookup attribute (an identity graph's keys and roles), as one region's pass: events
 * together, the first failure ends it. `undefined` in the list is a pass over the whole window.
 */
export async function lookupRegionBy(
  req: Omit<RegionPassRequest, 'attribute'>,
  attributes: readonly (LookupAttribute | undefined)[],
): Promise<RegionPass> {
  const all: RegionPass = { region: req.region, events: [], pages: 0, throttles: 0, unreadable: 0 }
  for (const attribute of attributes) {
    const pass = await lookupRegion(attribute ? { ...req, attribute } : req)
    all.events.push(...pass.events)
    all.pages += pass.pages
    all.throttles += pass.throttles
    all.unreadable += pass.unreadable
    if (pass.failure) return { ...all, failure: pass.failure }
  }
  return all
}

/**
 * What to ask LookupEvents for an identity graph: each access key it knows (handed out or created
 * by a member) by AccessKeyId, the CloudFormation service roles by their session name, and the
 * roots by their own attribute. A root with none (a role: every session) means the whole window,
 * which covers everything else.
 */
export function lookupAttributesForGraph(
  roots: readonly PrincipalSelector[],
  keys: readonly string[],
  passedRoles: number,
): (LookupAttribute | undefined)[] {
  const out = new Map<string, LookupAttribute>()
  for (const r of roots) {
    if (r.kind === 'access-key') continue
    const a = lookupAttributeFor(r)
    if (!a) return [undefined]
    out.set(`${a.key}=${a.value}`, a)
  }
  for (const k of keys) out.set(`AccessKeyId=${k}`, { key: 'AccessKeyId', value: k })
  if (passedRoles > 0) out.set('Username=AWSCloudFormation', { key: 'Username', value: 'AWSCloudFormation' })
  return [...out.values()]
}

/**
 * LookupEvents honours one lookup attribute per call; pick the most selective one that still
 * returns every call of the principal. A role ARN names no session, so it has none: all events
 * of the window are read and filtered here.
 */
export function lookupAttributeFor(
  sel: PrincipalSelector,
  accessKeyId?: string,
): LookupAttribute | undefined {
  if (sel.kind === 'access-key') return { key: 'AccessKeyId', value: sel.id }
  if (accessKeyId) return { key: 'AccessKeyId', value: accessKeyId }
  switch (sel.kind) {
    case 'user':
      return { key: 'Username', value: sel.arn.split('/').pop()! }
    case 'session':
      // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: LookupEvents' Username is the session name.
      return { key: 'Username', value: sel.arn.split('/').slice(2).join('/') }
    case 'root':
      return { key: 'Username', value: 'root' }
    default:
      return undefined
  }
}
