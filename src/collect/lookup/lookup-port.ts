import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail'
import { type AwsClientOptions, lazy, sdkClientConfig } from '../../aws/sdk-config.js'
import type { RateLimiter, RegionLimiters } from './rate-limiter.js'

/**
 * The narrow port the collector sees: one LookupEvents page of one region. Everything else about
 * the SDK (credentials chain, endpoints incl. AWS_ENDPOINT_URL_CLOUDTRAIL, adaptive retries, user
 * agent) stays behind it.
 */
export type LookupAttributeKey = 'AccessKeyId' | 'Username'

export interface LookupAttribute {
  key: LookupAttributeKey
  value: string
}

export interface LookupPageRequest {
  region: string
  attribute?: LookupAttribute
  start: Date
  end: Date
  nextToken?: string
}

export interface LookupPage {
  /** The `CloudTrailEvent` strings, the raw records exactly as CloudTrail stored them. */
  records: string[]
  nextToken?: string
}

export interface CloudTrailLookup {
  lookupEvents(req: LookupPageRequest, signal?: AbortSignal): Promise<LookupPage>
  /** True when the port takes a token from the region's limiter for every HTTP attempt itself. */
  readonly limitsRate?: boolean
}

/** LookupEvents returns at most 50 events per page. */
export const LOOKUP_PAGE_SIZE = 50

/**
 * With `limiters`, every HTTP attempt takes a token from its region's limiter on the wire, after the
 * SDK's retry strategy and its adaptive client-side delays: a token taken before `send` would be
 * spent early and the requests bunched up behind those delays (measured: 3 requests in 0.6 s).
 * The SDK's own retries of one page (attempt 2, 3) take theirs the same way.
 */
export function createCloudTrailLookup(
  aws: AwsClientOptions = {},
  limiters?: RegionLimiters,
): CloudTrailLookup & { destroy(): void } {
  const clients = new Map<string, CloudTrailClient>()
  // The SDK loads on the first request, not at startup: most commands never talk to AWS.
  const sdk = lazy(() => import('@aws-sdk/client-cloudtrail'))
  const clientFor = async (region: string) => {
    let c = clients.get(region)
    if (!c) {
      c = new (await sdk()).CloudTrailClient(sdkClientConfig(region, aws))
      if (limiters) limitRetries(c, limiters.for(region))
      clients.set(region, c)
    }
    return c
  }
  return {
    limitsRate: limiters !== undefined,
    async lookupEvents(req, signal) {
      const client = await clientFor(req.region)
      const out = await client.send(
        new (await sdk()).LookupEventsCommand({
          StartTime: req.start,
          EndTime: req.end,
          MaxResults: LOOKUP_PAGE_SIZE,
          ...(req.attribute
            ? { LookupAttributes: [{ AttributeKey: req.attribute.key, AttributeValue: req.attribute.value }] }
            : {}),
          ...(req.nextToken ? { NextToken: req.nextToken } : {}),
        }),
        signal ? { abortSignal: signal } : {},
      )
      const records: string[] = []
      for (const e of out.Events ?? []) if (e.CloudTrailEvent) records.push(e.CloudTrailEvent)
      return out.NextToken ? { records, nextToken: out.NextToken } : { records }
    },
    destroy() {
      for (const c of clients.values()) c.destroy()
    },
  }
}

function limitRetries(client: CloudTrailClient, limiter: RateLimiter): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      await limiter.acquire()
      return next(args)
    },
    // After the retry middleware (finalizeRequest, high), so it runs once per HTTP attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'iamtrailRetryRateLimit' },
  )
}
