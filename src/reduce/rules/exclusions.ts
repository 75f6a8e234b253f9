/**
 * Events that need no IAM permission or are not calls the principal made. They are excluded from
 * policies with their reason (shown in the summary and by `explain`), never dropped silently.
 */
export interface ExclusionRule {
  id: string
  eventSource?: string
  eventName?: string
  eventType?: string
  reason: string
  ref: string
}

export const EXCLUSIONS: readonly ExclusionRule[] = [
  {
    id: 'exclude:console-sign-in',
    eventType: 'AwsConsoleSignIn',
    reason: 'console sign-in, not an API call',
    ref: 'CloudTrail userguide: cloudtrail-event-reference-aws-console-sign-in-events',
  },
  {
    id: 'exclude:insight',
    eventType: 'AwsCloudTrailInsight',
    reason: 'CloudTrail Insights event, not an API call',
    ref: 'CloudTrail userguide: logging-insights-events',
  },
  {
    id: 'exclude:s3-console-internal',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetStorageLensDashboardDataInternal',
    reason: 'console-internal S3 call with no documented IAM action',
    ref: 'observed in invictus dataset; not in the S3 API reference',
  },
  {
    id: 'exclude:service-event',
    eventType: 'AwsServiceEvent',
    reason: 'service event: AWS acted on its own, no caller permission',
    ref: 'CloudTrail userguide: non-api-aws-service-events',
  },
  {
    id: 'exclude:signin',
    eventSource: 'signin.amazonaws.com',
    reason: 'console sign-in flow, not an API call',
    ref: 'CloudTrail userguide: cloudtrail-event-reference-aws-console-sign-in-events',
  },
  {
    id: 'exclude:sso-oauth',
    eventSource: 'sso-oauth.amazonaws.com',
    reason: 'SSO token exchange, needs no IAM permission',
    ref: 'IAM Identity Center: logging-using-cloudtrail',
  },
  {
    id: 'exclude:sso-portal',
    eventSource: 'portal.sso.amazonaws.com',
    reason: 'SSO portal session call, authorized by the SSO token',
    ref: 'IAM Identity Center: logging-using-cloudtrail',
  },
  {
    id: 'exclude:sts-get-caller-identity',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    reason: 'needs no permission (always allowed)',
    ref: 'STS API reference: GetCallerIdentity',
  },
  {
    id: 'exclude:sts-get-session-token',
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetSessionToken',
    reason: 'needs no permission',
    ref: 'IAM userguide: id_credentials_temp_control-access_getsessiontoken',
  },
]
