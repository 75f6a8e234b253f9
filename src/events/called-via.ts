import type { CloudTrailEvent } from './cloudtrail-event.js'

/**
 * `direct` when the principal called the API itself, else the service that called it on the
 * principal's behalf (CloudFormation without a service role, SSM decrypting with KMS, …). Those calls
 * still need the principal's permissions, but users want to see them apart.
 */
export function calledVia(event: CloudTrailEvent): string {
  const invokedBy = event.userIdentity?.invokedBy
  if (invokedBy) return invokedBy
  const ip = event.sourceIPAddress
  if (ip?.endsWith('.amazonaws.com')) return ip
  return 'direct'
}

const DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'Client.UnauthorizedOperation',
  'UnauthorizedAccess',
  'AuthorizationError',
  'AuthorizationErrorException',
  'Forbidden',
])

/** True when the call failed for lack of permission: the permission was needed and missing. */
export function isDenied(event: CloudTrailEvent): boolean {
  return event.errorCode !== undefined && DENIED_CODES.has(event.errorCode)
}
