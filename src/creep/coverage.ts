/** What CloudTrail cannot show, said once per report so "unknown" is never mistaken for "unused". */
export function blindSpotsNote(source: string): string {
  const lookup = source === 'lookup'
  return [
    'Data events (S3 object reads and writes, Lambda Invoke, DynamoDB item calls, SQS/SNS messages, …) are',
    lookup
      ? 'never returned by LookupEvents: their grants are "unknown", not "unused".'
      : 'only in the logs when the trail records them: without any data event in the input, their grants are "unknown", not "unused".',
    'Calls CloudTrail never logs (sts:DecodeAuthorizationMessage) are "unknown" too.',
    lookup ? 'LookupEvents keeps 90 days: a longer window is read from its last 90 days only.' : '',
  ]
    .filter(Boolean)
    .join(' ')
}
