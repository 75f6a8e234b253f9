import { EXIT, IamtrailError } from '../errors.js'

/**
 * What an AWS failure means for a collection. Throttling is retried; a region that keeps failing
 * is reported, never read as "no activity"; credentials and permissions end the collection with a
 * message that says what to fix.
 */
export type AwsFailureKind = 'throttled' | 'credentials' | 'access-denied' | 'aborted' | 'failed'

export interface AwsFailure {
  kind: AwsFailureKind
  code: string
  message: string
}

const THROTTLE = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
])
const CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'TokenProviderError',
])
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])

export function classifyAwsError(err: unknown): AwsFailure {
  const e = err as { name?: string; Code?: string; message?: string; $retryable?: { throttling?: boolean } }
  const code = e?.name ?? e?.Code ?? 'Error'
  const message = e?.message ?? String(err)
  if (code === 'AbortError') return { kind: 'aborted', code, message }
  if (THROTTLE.has(code) || e?.$retryable?.throttling) return { kind: 'throttled', code, message }
  if (CREDENTIALS.has(code)) return { kind: 'credentials', code, message }
  if (DENIED.has(code)) return { kind: 'access-denied', code, message }
  return { kind: 'failed', code, message }
}

/** The abort message for a credentials or permission failure; `action` is the IAM action that was refused. */
export function awsFailureError(f: AwsFailure, action: string, cause?: unknown): IamtrailError {
  const opts = cause === undefined ? undefined : { cause }
  if (f.kind === 'credentials') {
    const expired = /expired/i.test(`${f.code} ${f.message}`)
    const missing = f.code === 'CredentialsProviderError'
    const what = expired
      ? 'the AWS credentials have expired'
      : missing
        ? 'no AWS credentials were found'
        : 'the AWS credentials were rejected'
    const fix = missing
      ? 'Set them up (aws configure, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or choose a profile with --profile / AWS_PROFILE.'
      : 'Refresh them (e.g. aws sso login, or a new session), or choose others with --profile / AWS_PROFILE.'
    return new IamtrailError(`${what} (${f.code}: ${f.message}). ${fix}`, 'environment', EXIT.usage, opts)
  }
  if (f.kind === 'access-denied') {
    return new IamtrailError(
      `access denied: the caller needs the IAM permission ${action} (${f.code}: ${f.message}). See docs/permissions.md.`,
      'environment',
      EXIT.usage,
      opts,
    )
  }
  // Reached before anything was collected (sts:GetCallerIdentity): nothing ran, nothing is incomplete.
  return new IamtrailError(`${action} failed (${f.code}: ${f.message})`, 'environment', EXIT.usage, opts)
}
