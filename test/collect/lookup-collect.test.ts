import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { awsFailureError } from '../../src/aws/aws-errors.js'
import { collectLookup } from '../../src/collect/lookup/collect-lookup.js'
import { createCloudTrailLookup } from '../../src/collect/lookup/lookup-port.js'
import { recordLookup } from '../../src/collect/lookup/lookup-recording.js'
import { readManifest, readRecordingEvents } from '../../src/collect/recording.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { parsePrincipal } from '../../src/events/principal.js'
import { FindingList } from '../../src/findings.js'
import { apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'
import { awsError, FakeTrail, maxInWindow } from '../support/fake-cloudtrail.js'

const T0 = Date.parse('2026-11-20T10:00:00Z')
const WINDOW = { start: new Date(T0), end: new Date(T0 + 10 * 60_000) }
const KEY = 'ASIAEXAMPLESESSION01'
const SESSION = parsePrincipal('arn:aws:sts::123456789012:assumed-role/deployer/ci-run')
const MIN = 60_000

function deployerCall(i: number, region: string, at = T0 + 60_000 + i * 1000): CloudTrailEvent {
  return apiCall({
    eventSource: 'sqs.amazonaws.com',
    eventName: 'CreateQueue',
    awsRegion: region,
    eventTime: new Date(at).toISOString(),
    userIdentity: roleSessionIdentity('deployer', 'ci-run', KEY),
  })
}

let trail: FakeTrail
let lookup: ReturnType<typeof createCloudTrailLookup>

beforeEach(() => {
  vi.useFakeTimers({ now: WINDOW.end.getTime() + MIN, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  trail = new FakeTrail()
  lookup = createCloudTrailLookup()
})
afterEach(() => {
  lookup.destroy()
  trail.restore()
  vi.useRealTimers()
})

/** Runs a collection to its end in fake time. */
async function inFakeTime<T>(p: Promise<T>): Promise<T> {
  let done = false
  const finish = () => {
    done = true
  }
  p.then(finish, finish)
  for (let i = 0; i < 100_000 && !done; i++) await vi.advanceTimersByTimeAsync(100)
  return p
}

const base = { principal: SESSION, accessKeyId: KEY, window: WINDOW, settleMs: 5 * MIN, maxWaitMs: 20 * MIN }

describe('lookup collector', () => {
  it('follows NextToken across pages, 50 per page, with one AccessKeyId attribute, and loses nothing', async () => {
    for (let i = 0; i < 137; i++) trail.add('eu-west-1', deployerCall(i, 'eu-west-1'))
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 0 }))
    expect(r.events).toHaveLength(137)
    expect(new Set(r.events.map((e) => e.eventID)).size).toBe(137)
    const first = trail.callsIn('eu-west-1').slice(0, 3)
    expect(first.map((c) => c.input.MaxResults)).toEqual([50, 50, 50])
    expect(first[0]?.input.NextToken).toBeUndefined()
    expect(first[1]?.input.NextToken).toMatch(/^tok-/)
    expect(first[0]?.input.LookupAttributes).toEqual([{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }])
    expect(r.perRegion).toEqual({ 'eu-west-1': 137, 'us-east-1': 0 })
    expect(r.settle.outcome).toBe('complete')
  })

  it('always collects us-east-1, where IAM and STS events land', async () => {
    trail.add('us-east-1', deployerCall(1, 'us-east-1'))
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 0 }))
    expect(r.regions).toEqual(['eu-west-1', 'us-east-1'])
    expect(r.perRegion['us-east-1']).toBe(1)
  })

  it('never sends more than 2 requests per second to a region, through pages, polls and throttling', async () => {
    for (const region of ['eu-west-1', 'us-east-1', 'eu-central-1'])
      for (let i = 0; i < 260; i++) trail.add(region, deployerCall(i, region))
    trail.throttle('eu-west-1', 3)
    const r = await inFakeTime(
      collectLookup({ ...base, lookup, regions: ['eu-west-1', 'eu-central-1'], settleMs: 2 * MIN }),
    )
    expect(r.events).toHaveLength(780)
    for (const region of r.regions) {
      expect(trail.callsIn(region).length).toBeGreaterThan(6)
      expect(maxInWindow(trail.callsIn(region))).toBeLessThanOrEqual(2)
    }
  })

  it('retries a ThrottlingException burst mid-pagination from the same token and loses nothing', async () => {
    for (let i = 0; i < 120; i++) trail.add('eu-west-1', deployerCall(i, 'eu-west-1'))
    trail.throttle('eu-west-1', 5, 1) // the first page goes through, the next five requests are throttled
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 0 }))
    expect(r.events).toHaveLength(120)
    expect(r.settle.throttles).toBe(5)
    expect(r.settle.outcome).toBe('complete')
    expect(r.findings.map((f) => f.code)).toContain('collect.throttled')
    const calls = trail.callsIn('eu-west-1')
    // page 1, five throttled retries of page 2 (all with page 2's token), page 2, page 3
    expect(calls).toHaveLength(8)
    const retried = calls.slice(1, 7).map((c) => c.input.NextToken)
    expect(new Set(retried).size).toBe(1)
    expect(retried[0]).toMatch(/^tok-/)
  })

  it('reports a region that stays throttled as failed, never as no activity', async () => {
    trail.add('eu-west-1', deployerCall(1, 'eu-west-1'))
    trail.throttle('eu-west-1', 10_000)
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: MIN }))
    expect(r.settle.outcome).toBe('possibly incomplete')
    expect(r.settle.reason).toBe('region-failed')
    expect(r.findings).toContainEqual(
      expect.objectContaining({ code: 'collect.region-failed', where: 'eu-west-1', severity: 'error' }),
    )
  })

  it('reports a failing region with its error and keeps the other regions', async () => {
    trail.add('us-east-1', deployerCall(1, 'us-east-1'))
    trail.add('eu-west-1', deployerCall(2, 'eu-west-1'))
    trail.fail('ap-southeast-2', () => awsError('InternalFailure', 'We encountered an internal error'))
    const r = await inFakeTime(
      collectLookup({ ...base, lookup, regions: ['eu-west-1', 'ap-southeast-2'], settleMs: MIN }),
    )
    expect(r.events.map((e) => e.awsRegion).sort()).toEqual(['eu-west-1', 'us-east-1'])
    expect(r.settle.outcome).toBe('possibly incomplete')
    expect(Object.keys(r.settle.failedRegions)).toEqual(['ap-southeast-2'])
    const f = r.findings.find((x) => x.code === 'collect.region-failed')
    expect(f?.where).toBe('ap-southeast-2')
    expect(f?.detail).toMatch(/InternalFailure.*unknown, not empty/)
  })

  it('a region that recovers on a later poll makes the collection complete', async () => {
    trail.add('eu-west-1', deployerCall(2, 'eu-west-1'))
    trail.fail('eu-west-1', () => awsError('ServiceUnavailableException', 'try later'))
    setTimeout(() => trail.heal('eu-west-1'), 30_000)
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 2 * MIN }))
    expect(r.events).toHaveLength(1)
    expect(r.settle.outcome).toBe('complete')
  })

  it('stops at the end of the settle period after the last late-delivered event', async () => {
    const now = Date.now()
    trail.add('eu-west-1', deployerCall(1, 'eu-west-1'), now)
    trail.add('eu-west-1', deployerCall(2, 'eu-west-1'), now + 3 * MIN)
    trail.add('us-east-1', deployerCall(3, 'us-east-1'), now + 7 * MIN)
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 5 * MIN }))
    expect(r.events).toHaveLength(3)
    expect(r.settle.outcome).toBe('complete')
    expect(r.settle.reason).toBe('settled')
    const lastArrival = now + 7 * MIN
    const ended = Date.now()
    // seen at the first poll after delivery (polls are at most 30 s apart), quiet for 5 min after that
    expect(ended).toBeGreaterThanOrEqual(lastArrival + 5 * MIN)
    expect(ended).toBeLessThanOrEqual(lastArrival + 5 * MIN + 60_000)
  })

  it('counts quiet from the window end: a window that just ended is waited for', async () => {
    vi.setSystemTime(WINDOW.end.getTime() + 1000)
    trail.add('eu-west-1', deployerCall(1, 'eu-west-1'))
    const started = Date.now()
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 5 * MIN }))
    expect(r.settle.outcome).toBe('complete')
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * MIN - 1000)
  })

  it('does not take an empty result for quiet: waits for a first delivery later than --settle', async () => {
    vi.setSystemTime(WINDOW.end.getTime())
    const now = Date.now()
    trail.add('eu-west-1', deployerCall(1, 'eu-west-1'), now + 8 * MIN)
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 5 * MIN }))
    expect(r.events).toHaveLength(1)
    expect(r.settle.outcome).toBe('complete')
    expect(Date.now() - now).toBeGreaterThanOrEqual(13 * MIN)
  })

  it('concludes at once that a long-past window holds nothing', async () => {
    vi.setSystemTime(WINDOW.end.getTime() + 3 * 60 * MIN)
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'] }))
    expect(r.events).toEqual([])
    expect(r.settle).toMatchObject({ outcome: 'complete', polls: 1 })
  })

  it('gives up at --max-wait while events keep arriving, and says possibly incomplete', async () => {
    const now = Date.now()
    for (let i = 0; i < 30; i++) trail.add('eu-west-1', deployerCall(i, 'eu-west-1'), now + i * MIN)
    const r = await inFakeTime(
      collectLookup({ ...base, lookup, regions: ['eu-west-1'], settleMs: 5 * MIN, maxWaitMs: 20 * MIN }),
    )
    expect(r.settle.outcome).toBe('possibly incomplete')
    expect(r.settle.reason).toBe('max-wait')
    expect(Date.now() - now).toBeGreaterThanOrEqual(20 * MIN)
    expect(Date.now() - now).toBeLessThan(21 * MIN)
    expect(r.events.length).toBeGreaterThanOrEqual(20)
    expect(r.findings.map((f) => f.code)).toContain('collect.incomplete')
  })

  it('keeps only the principal, the padded window, and never iamtrail’s own calls', async () => {
    const own = deployerCall(1, 'us-east-1')
    own.userAgent =
      'aws-sdk-js/3.1137.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/cloudtrail#3.1137.0 m/F iamtrail/0.1.0'
    const other = {
      ...deployerCall(2, 'us-east-1'),
      userIdentity: roleSessionIdentity('deployer', 'other', KEY),
    }
    const early = deployerCall(3, 'us-east-1', T0 - 5 * MIN)
    const skewed = deployerCall(4, 'us-east-1', T0 - 30_000)
    const kept = deployerCall(5, 'us-east-1')
    for (const e of [own, other, early, skewed, kept]) trail.add('us-east-1', e)
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: [], settleMs: 0 }))
    expect(r.events.map((e) => e.eventID).sort()).toEqual([kept.eventID, skewed.eventID].sort())
  })

  it('asks by Username (the session name) when no access key is known, and not at all for a whole role', async () => {
    trail.add('us-east-1', deployerCall(1, 'us-east-1'))
    const bySession = await inFakeTime(
      collectLookup({ ...base, accessKeyId: undefined, lookup, regions: [], settleMs: 0 } as never),
    )
    expect(trail.calls[0]?.input.LookupAttributes).toEqual([
      { AttributeKey: 'Username', AttributeValue: 'ci-run' },
    ])
    expect(bySession.events).toHaveLength(1)
    trail.calls.length = 0
    trail.add('us-east-1', { ...deployerCall(2, 'us-east-1'), userIdentity: userIdentity('ci') })
    const role = parsePrincipal('arn:aws:iam::123456789012:role/deployer')
    const byRole = await inFakeTime(
      collectLookup({ lookup, principal: role, window: WINDOW, regions: [], settleMs: 0 }),
    )
    expect(trail.calls[0]?.input.LookupAttributes).toBeUndefined()
    expect(byRole.events).toHaveLength(1)
  })

  it('stops on expired credentials with a message that says so', async () => {
    for (const region of ['us-east-1', 'eu-west-1'])
      trail.fail(region, () =>
        awsError('ExpiredTokenException', 'The security token included in the request is expired'),
      )
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: ['eu-west-1'] }))
    expect(r.settle.reason).toBe('fatal')
    expect(r.settle.fatal?.kind).toBe('credentials')
    expect(r.settle.polls).toBe(1)
    expect(awsFailureError(r.settle.fatal!, 'cloudtrail:LookupEvents').message).toMatch(
      /credentials have expired.*--profile/,
    )
  })

  it('names cloudtrail:LookupEvents when access is denied', async () => {
    trail.fail('us-east-1', () =>
      awsError('AccessDeniedException', 'User is not authorized to perform: cloudtrail:LookupEvents'),
    )
    const r = await inFakeTime(collectLookup({ ...base, lookup, regions: [] }))
    expect(r.settle.fatal?.kind).toBe('access-denied')
    const err = awsFailureError(r.settle.fatal!, 'cloudtrail:LookupEvents')
    expect(err.message).toMatch(/needs the IAM permission cloudtrail:LookupEvents/)
  })
})

describe('recordings from the lookup source', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iamtrail-rec-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('Ctrl-C while waiting saves a valid recording marked incomplete, and --resume tops it up without duplicates', async () => {
    const now = Date.now()
    for (let i = 0; i < 70; i++) trail.add('eu-west-1', deployerCall(i, 'eu-west-1'), now)
    for (let i = 70; i < 75; i++) trail.add('eu-west-1', deployerCall(i, 'eu-west-1'), now + 10 * MIN)
    const path = join(dir, 'deploy.rec')
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 2 * MIN)
    const req = {
      ...base,
      lookup,
      path,
      name: 'deploy',
      regions: ['eu-west-1'],
      command: { argv: ['npx', 'cdk', 'deploy'], exitCode: 0 },
    }
    const first = await inFakeTime(recordLookup({ ...req, signal: ac.signal }))
    expect(first.saved).toBe(true)
    const m1 = await readManifest(path)
    expect(m1.settle).toMatchObject({ outcome: 'possibly incomplete', reason: 'interrupted' })
    expect(m1.counts).toEqual({ events: 70, perRegion: { 'eu-west-1': 70, 'us-east-1': 0 } })
    expect(m1.command).toEqual({ argv: ['npx', 'cdk', 'deploy'], exitCode: 0 })
    expect(m1.lookup?.attribute).toEqual({ key: 'AccessKeyId', value: KEY })
    const findings = new FindingList()
    const saved = await readRecordingEvents(path, findings)
    expect(findings.items).toEqual([])
    expect(saved).toHaveLength(70)

    // never overwritten without force
    await expect(inFakeTime(recordLookup({ ...req, settleMs: 0 }))).rejects.toThrow(/exists; pass --force/)

    vi.advanceTimersByTime(10 * MIN)
    const resumed = await inFakeTime(recordLookup({ ...req, seed: saved, force: true }))
    const m2 = await readManifest(path)
    expect(m2.settle.outcome).toBe('complete')
    expect(m2.counts.events).toBe(75)
    const all = await readRecordingEvents(path, findings)
    expect(new Set(all.map((e) => e.eventID)).size).toBe(75)
    expect(resumed.collection.events).toHaveLength(75)
  })

  it('saves nothing when credentials fail before anything was collected', async () => {
    trail.fail('us-east-1', () => awsError('ExpiredToken', 'expired'))
    const path = join(dir, 'x.rec')
    const r = await inFakeTime(recordLookup({ ...base, lookup, path, name: 'x', regions: [] }))
    expect(r.saved).toBe(false)
    await expect(readManifest(path)).rejects.toThrow(/not a recording/)
  })
})
