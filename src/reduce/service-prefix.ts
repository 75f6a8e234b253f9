/**
 * eventSource host → IAM service prefix, where the two differ. Everything else is the first label
 * of the host (`lambda.amazonaws.com` → `lambda`). Sorted; each entry says why.
 */
export const EVENT_SOURCE_PREFIX: Readonly<Record<string, { prefix: string; reason: string }>> = {
  'amazonmq.amazonaws.com': { prefix: 'mq', reason: 'Amazon MQ authorizes as mq:' },
  'cloudcontrolapi.amazonaws.com': {
    prefix: 'cloudformation',
    reason: 'Cloud Control API authorizes as cloudformation:',
  },
  'monitoring.amazonaws.com': { prefix: 'cloudwatch', reason: 'CloudWatch API host is monitoring' },
  'pinpoint.amazonaws.com': { prefix: 'mobiletargeting', reason: 'Pinpoint authorizes as mobiletargeting:' },
  'rdsdata.amazonaws.com': { prefix: 'rds-data', reason: 'RDS Data API authorizes as rds-data:' },
  'streams.dynamodb.amazonaws.com': {
    prefix: 'dynamodb',
    reason: 'DynamoDB Streams authorizes as dynamodb:',
  },
  'tagging.amazonaws.com': { prefix: 'tag', reason: 'Resource Groups Tagging API authorizes as tag:' },
}

export function servicePrefixOf(eventSource: string): string {
  const known = EVENT_SOURCE_PREFIX[eventSource]
  if (known) return known.prefix
  return eventSource.replace(/\.amazonaws\.com$/, '').split('.')[0] ?? eventSource
}
