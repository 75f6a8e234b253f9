import {
  CloudTrailClient,
  LookupEventsCommand,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail'
import { mockClient } from 'aws-sdk-client-mock'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'

/**
 * CloudTrail faked at the SDK boundary (aws-sdk-client-mock), with the behaviour AWS has: events
 * become visible only after their (fake) delivery time, newest first, 50 per page behind opaque
 * NextTokens that are checked, ThrottlingException bursts, regions that fail. Every request is
 * logged with its (fake) time for rate assertions.
 */
export interface FakeTrailCall {
  region: string
  at: number
  input: LookupEventsCommandInput
}

export class FakeTrail {
  readonly calls: FakeTrailCall[] = []
  private readonly events: { region: string; event: CloudTrailEvent; visibleAt: number }[] = []
  private readonly throttles: { region: string; from: number; until: number }[] = []
  private readonly failures = new Map<string, () => Error>()
  private readonly tokens = new Map<string, number>()
  readonly mock = mockClient(CloudTrailClient)

  constructor() {
    this.mock.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
      const region = await getClient().config.region()
      this.calls.push({ region, at: Date.now(), input })
      const failure = this.failures.get(region)
      if (failure) throw failure()
      const index = this.callsIn(region).length - 1
      if (this.throttles.some((t) => t.region === region && index >= t.from && index < t.until)) {
        throw awsError('ThrottlingException', 'Rate exceeded')
      }
      return this.page(region, input)
    })
  }

  add(region: string, event: CloudTrailEvent, visibleAt = 0): this {
    this.events.push({ region, event, visibleAt })
    return this
  }

  /** `n` requests to `region` are throttled, after `after` more have gone through. */
  throttle(region: string, n: number, after = 0): this {
    const from = this.callsIn(region).length + after
    this.throttles.push({ region, from, until: from + n })
    return this
  }

  fail(region: string, error: () => Error): this {
    this.failures.set(region, error)
    return this
  }

  heal(region: string): this {
    this.failures.delete(region)
    return this
  }

  restore(): void {
    this.mock.restore()
  }

  callsIn(region: string): FakeTrailCall[] {
    return this.calls.filter((c) => c.region === region)
  }

  private page(region: string, input: LookupEventsCommandInput) {
    const attr = input.LookupAttributes?.[0]
    const start = input.StartTime?.getTime() ?? 0
    const end = input.EndTime?.getTime() ?? Number.POSITIVE_INFINITY
    const visible = this.events
      .filter((e) => e.region === region && e.visibleAt <= Date.now())
      .map((e) => e.event)
      .filter((e) => Date.parse(e.eventTime) >= start && Date.parse(e.eventTime) <= end)
      .filter((e) => {
        if (!attr) return true
        if (attr.AttributeKey === 'AccessKeyId') return e.userIdentity?.accessKeyId === attr.AttributeValue
        if (attr.AttributeKey === 'Username')
          return (e.userIdentity?.userName ?? e.userIdentity?.arn?.split('/').pop()) === attr.AttributeValue
        return true
      })
      .sort((a, b) => (a.eventTime < b.eventTime ? 1 : -1))
    let offset = 0
    if (input.NextToken) {
      const o = this.tokens.get(input.NextToken)
      if (o === undefined) throw awsError('InvalidNextTokenException', 'bad token')
      offset = o
    }
    const size = Math.min(input.MaxResults ?? 50, 50)
    const page = visible.slice(offset, offset + size)
    const out: { Events: unknown[]; NextToken?: string } = {
      Events: page.map((e) => ({
        EventId: e.eventID,
        EventName: e.eventName,
        CloudTrailEvent: JSON.stringify(e),
      })),
    }
    if (offset + size < visible.length) {
      const token = `tok-${this.tokens.size}-${Math.random().toString(36).slice(2)}`
      this.tokens.set(token, offset + size)
      out.NextToken = token
    }
    return out
  }
}

export function awsError(name: string, message: string): Error {
  const e = new Error(message)
  e.name = name
  return e
}

/** The most requests `calls` made in any window of `windowMs` (half-open). */
export function maxInWindow(calls: readonly { at: number }[], windowMs = 1000): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b)
  let max = 0
  let lo = 0
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] as number) - (times[lo] as number) >= windowMs) lo++
    max = Math.max(max, hi - lo + 1)
  }
  return max
}
