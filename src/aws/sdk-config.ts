import { IAMTRAIL_VERSION } from '../version.js'

/**
 * SDK client settings shared by every AWS client iamtrail creates: the standard credential chain,
 * `--profile` as the AWS CLI reads it, adaptive retries, and a user-agent marker.
 *
 * CloudTrail logs the User-Agent header in `userAgent`, so the marker lets the collector drop
 * iamtrail's own LookupEvents, GetCallerIdentity and IAM calls from every recording.
 */
export const USER_AGENT_NAME = 'iamtrail'
export const USER_AGENT: [string, string] = [USER_AGENT_NAME, IAMTRAIL_VERSION]
const OWN_CALL = new RegExp(`(^|[\\s(\\[])${USER_AGENT_NAME}/\\S+`)

export function isOwnCall(userAgent: string | undefined): boolean {
  return userAgent !== undefined && OWN_CALL.test(userAgent)
}

export interface AwsClientOptions {
  profile?: string
  /**
   * Credentials resolved once and shared (record: iamtrail and the command it runs sign with the
   * same keys); without them each client resolves the default chain itself.
   */
  credentials?: (options?: { forceRefresh?: boolean }) => Promise<{
    accessKeyId: string
    secretAccessKey: string
    sessionToken?: string
    expiration?: Date
  }>
}

/**
 * Adaptive retry mode adds a client-side rate limiter that slows down after throttling responses;
 * the collector's own limiter and retries sit on top of it (src/collect/lookup/lookup.ts).
 */
export const SDK_MAX_ATTEMPTS = 3

/** The region of the AWS CLI's conventions when none is given: env, then us-east-1. */
export function defaultRegion(region?: string): string {
  return region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1'
}

/**
 * A module loaded once, on first use. The AWS SDK clients cost ~150 ms and ~45 MB to load; only the
 * commands that talk to AWS should pay for them.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined
  return () => {
    p ??= load()
    return p
  }
}

export function sdkClientConfig(region: string, aws: AwsClientOptions) {
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: SDK_MAX_ATTEMPTS,
    customUserAgent: [USER_AGENT],
    ...(aws.profile ? { profile: aws.profile } : {}),
    ...(aws.credentials ? { credentials: aws.credentials } : {}),
  }
}
