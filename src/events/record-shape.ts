/**
 * The shape check every record passes once, at the reader: past it, every stage may trust the types
 * of CloudTrailEvent. A record from a hostile or damaged input (a numeric ARN, `resources` that is
 * not a list, an eventSource that is no service host) would otherwise throw deep in the mapper and
 * abort the whole run; here it is one `input.invalid-record` finding and the rest goes on.
 *
 * `null` in an optional field reads as the field being absent: exports (Elastic, Athena, jq) write
 * nulls for what CloudTrail leaves out, and those records are good.
 */

/** A service endpoint host, as every CloudTrail eventSource is (`s3.amazonaws.com`). */
const EVENT_SOURCE = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i

const REQUIRED_STRINGS = ['eventSource', 'eventName', 'eventTime', 'awsRegion'] as const
const OPTIONAL_STRINGS = [
  'eventID',
  'eventVersion',
  'eventType',
  'eventCategory',
  'errorCode',
  'errorMessage',
  'requestID',
  'sourceIPAddress',
  'userAgent',
  'recipientAccountId',
] as const
const OPTIONAL_OBJECTS = ['requestParameters', 'responseElements', 'additionalEventData'] as const
const IDENTITY_STRINGS = [
  'type',
  'principalId',
  'arn',
  'accountId',
  'accessKeyId',
  'userName',
  'invokedBy',
] as const
const ISSUER_STRINGS = ['type', 'principalId', 'arn', 'accountId', 'userName'] as const
const RESOURCE_STRINGS = ['ARN', 'accountId', 'type'] as const

/**
 * Why `e` is not a record iamtrail can read, or undefined when it is. Nulls in optional fields are
 * removed from `e` in passing (see above); nothing else is changed.
 */
export function recordShapeProblem(e: Record<string, unknown>): string | undefined {
  const missing = REQUIRED_STRINGS.filter((k) => e[k] === undefined || e[k] === null || e[k] === '')
  if (missing.length > 0) return `record has no ${missing.join(', ')}`
  const mistyped = REQUIRED_STRINGS.filter((k) => typeof e[k] !== 'string')
  if (mistyped.length > 0) return `${mistyped.join(', ')} ${mistyped.length > 1 ? 'are' : 'is'} not a string`
  if (!EVENT_SOURCE.test(e.eventSource as string))
    return `eventSource ${JSON.stringify(e.eventSource)} is not a service host name`
  const bad: string[] = []
  strings(e, OPTIONAL_STRINGS, '', bad)
  for (const k of OPTIONAL_OBJECTS) {
    if (e[k] === undefined || e[k] === null) continue
    if (!isObject(e[k])) bad.push(`${k} is not an object`)
  }
  const id = optionalObject(e, 'userIdentity', '', bad)
  if (id) {
    strings(id, IDENTITY_STRINGS, 'userIdentity.', bad)
    const session = optionalObject(id, 'sessionContext', 'userIdentity.', bad)
    if (session) {
      const issuer = optionalObject(session, 'sessionIssuer', 'userIdentity.sessionContext.', bad)
      if (issuer) strings(issuer, ISSUER_STRINGS, 'userIdentity.sessionContext.sessionIssuer.', bad)
      optionalObject(session, 'attributes', 'userIdentity.sessionContext.', bad)
      optionalObject(session, 'webIdFederationData', 'userIdentity.sessionContext.', bad)
      strings(session, ['sourceIdentity'], 'userIdentity.sessionContext.', bad)
    }
  }
  if (e.resources === null) delete e.resources
  if (e.resources !== undefined) {
    if (!Array.isArray(e.resources)) bad.push('resources is not a list')
    else
      e.resources.forEach((r: unknown, i: number) => {
        if (!isObject(r)) bad.push(`resources[${i}] is not an object`)
        else strings(r, RESOURCE_STRINGS, `resources[${i}].`, bad)
      })
  }
  return bad.length > 0 ? bad.join('; ') : undefined
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function strings(o: Record<string, unknown>, keys: readonly string[], path: string, bad: string[]): void {
  for (const k of keys) {
    if (o[k] === null) delete o[k]
    else if (o[k] !== undefined && typeof o[k] !== 'string') bad.push(`${path}${k} is not a string`)
  }
}

function optionalObject(
  o: Record<string, unknown>,
  key: string,
  path: string,
  bad: string[],
): Record<string, unknown> | undefined {
  const v = o[key]
  if (v === undefined) return undefined
  if (v === null) {
    delete o[key]
    return undefined
  }
  if (!isObject(v)) {
    bad.push(`${path}${key} is not an object`)
    return undefined
  }
  return v
}
