import type { CloudTrailEvent, EventResource } from '../../events/cloudtrail-event.js'

/**
 * A principal-events.sql row back into the CloudTrail record shape, so the same reducer runs on
 * Athena results as on log files. Athena returns every value as a string (or null).
 */
export type Row = Record<string, string | null>

export function rowToEvent(row: Row): CloudTrailEvent {
  const s = (k: string) => row[k] ?? undefined
  const userIdentity: NonNullable<CloudTrailEvent['userIdentity']> = {}
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) (userIdentity as Record<string, unknown>)[k] = v
  }
  put('type', s('uid_type'))
  put('principalId', s('uid_principalid'))
  put('arn', s('uid_arn'))
  put('accountId', s('uid_accountid'))
  put('accessKeyId', s('uid_accesskeyid'))
  put('userName', s('uid_username'))
  put('invokedBy', s('uid_invokedby'))
  if (s('issuer_arn')) {
    userIdentity.sessionContext = {
      sessionIssuer: {
        type: s('issuer_type'),
        arn: s('issuer_arn'),
        userName: s('issuer_username'),
        accountId: s('issuer_accountid'),
      },
    }
  }
  const event: CloudTrailEvent = {
    eventID: s('eventid') ?? '',
    eventTime: s('eventtime') ?? '',
    eventSource: s('eventsource') ?? '',
    eventName: s('eventname') ?? '',
    awsRegion: s('awsregion') ?? '',
    userIdentity,
    requestParameters: json(s('requestparameters')) as Record<string, unknown> | null,
    responseElements: json(s('responseelements')) as Record<string, unknown> | null,
  }
  for (const [k, col] of [
    ['eventType', 'eventtype'],
    ['eventCategory', 'eventcategory'],
    ['sourceIPAddress', 'sourceipaddress'],
    ['userAgent', 'useragent'],
    ['errorCode', 'errorcode'],
    ['errorMessage', 'errormessage'],
    ['recipientAccountId', 'recipientaccountid'],
  ] as const) {
    const v = s(col)
    if (v !== undefined) (event as Record<string, unknown>)[k] = v
  }
  if (s('readonly') !== undefined) event.readOnly = s('readonly') === 'true'
  const resources = json(s('resources_json'))
  if (Array.isArray(resources)) {
    event.resources = resources.map((r: Record<string, string>) => {
      const out: EventResource = {}
      if (r.arn) out.ARN = r.arn
      if (r.accountid) out.accountId = r.accountid
      if (r.type) out.type = r.type
      return out
    })
  }
  return event
}

function json(v: string | undefined): unknown {
  if (v === undefined || v === '') return null
  try {
    return JSON.parse(v)
  } catch {
    return null
  }
}
