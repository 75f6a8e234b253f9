/**
 * Actions CloudTrail cannot show as management events: data events (off by default, never in
 * LookupEvents) and calls that are never logged. Unused grants of these actions are `unknown`, not
 * `unused`, unless the input itself shows data events (then absence is evidence).
 * Ref: CloudTrail userguide, logging-data-events-with-cloudtrail; STS DecodeAuthorizationMessage is not logged.
 */
const DATA_EVENT_ACTIONS = [
  /^s3:(GetObject|PutObject|DeleteObject|RestoreObject|AbortMultipartUpload|ListMultipartUploadParts|ListBucket$|ListBucketVersions$|ListBucketMultipartUploads$|GetObjectAttributes|ReplicateObject|ReplicateDelete|ReplicateTags|BypassGovernanceRetention)/,
  /^lambda:(InvokeFunction|InvokeFunctionUrl|InvokeAsync)$/,
  /^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|BatchGetItem|BatchWriteItem|Query|Scan|ConditionCheckItem|PartiQL\w+|GetRecords|GetShardIterator)$/,
  /^sns:Publish$/,
  /^sqs:(SendMessage|ReceiveMessage|DeleteMessage|ChangeMessageVisibility)/,
  /^kinesis:(PutRecords?|GetRecords|GetShardIterator|SubscribeToShard)$/,
  /^s3-object-lambda:/,
  /^bedrock:(InvokeModel|InvokeModelWithResponseStream|Converse|ConverseStream)$/,
]
const NEVER_LOGGED = new Set(['sts:decodeauthorizationmessage'])

export type BlindSpot = 'data-event' | 'not-logged'

export function blindSpotOf(action: string): BlindSpot | undefined {
  if (NEVER_LOGGED.has(action.toLowerCase())) return 'not-logged'
  if (DATA_EVENT_ACTIONS.some((re) => re.test(action))) return 'data-event'
  return undefined
}
