import type { CloudTrailEvent, UserIdentity } from '../../src/events/cloudtrail-event.js'

/** Identities shaped like real CloudTrail userIdentity blocks (eventVersion 1.08). */
export const ACCOUNT = '123456789012'

export function userIdentity(name: string, accessKeyId = 'AKIAEXAMPLEUSER00001'): UserIdentity {
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSERID0001',
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
    accountId: ACCOUNT,
    accessKeyId,
    userName: name,
  }
}

export function roleSessionIdentity(
  role: string,
  session: string,
  accessKeyId = 'ASIAEXAMPLESESSION01',
  path = '/',
): UserIdentity {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID0001:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID0001',
        arn: `arn:aws:iam::${ACCOUNT}:role${path}${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: { creationDate: '2026-11-20T09:58:01Z', mfaAuthenticated: 'false' },
    },
  }
}

let seq = 0

/** A management API call event with every field real records carry; override what the test is about. */
export function apiCall(
  over: Partial<CloudTrailEvent> & Pick<CloudTrailEvent, 'eventSource' | 'eventName'>,
): CloudTrailEvent {
  seq++
  const n = String(seq).padStart(12, '0')
  return {
    eventVersion: '1.08',
    userIdentity: userIdentity('ci'),
    eventTime: '2026-11-20T10:05:00Z',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 command/cloudformation.deploy',
    requestParameters: null,
    responseElements: null,
    requestID: `5f0c2a4e-0000-4000-8000-${n}`,
    eventID: `e1d2c3b4-0000-4000-8000-${n}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...over,
  }
}
