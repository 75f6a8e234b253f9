/**
 * eventSource host → IAM service prefix, where the two differ. Everything else is the first label
 * of the host (`lambda.amazonaws.com` → `lambda`). Sorted; each entry says why. Cross-checked
 * against iann0036/iam-dataset's cloudtrail_service_mappings (test/reduce/service-prefix.test.ts).
 */
export const EVENT_SOURCE_PREFIX: Readonly<Record<string, { prefix: string; reason: string }>> = {
  'agreement-marketplace.amazonaws.com': {
    prefix: 'aws-marketplace',
    reason: 'Marketplace agreements authorize as aws-marketplace:',
  },
  'amazonmq.amazonaws.com': { prefix: 'mq', reason: 'Amazon MQ authorizes as mq:' },
  'application-insights.amazonaws.com': { prefix: 'applicationinsights', reason: 'IAM prefix has no hyphen' },
  'billingconsole.amazonaws.com': { prefix: 'billing', reason: 'Billing console API authorizes as billing:' },
  'chime-sdk-media-pipelines.amazonaws.com': { prefix: 'chime', reason: 'Chime SDK authorizes as chime:' },
  'chime-sdk-voice.amazonaws.com': { prefix: 'chime', reason: 'Chime SDK authorizes as chime:' },
  'cloudcontrolapi.amazonaws.com': {
    prefix: 'cloudformation',
    reason: 'Cloud Control API authorizes as cloudformation:',
  },
  'contact-lens.amazonaws.com': { prefix: 'connect', reason: 'Contact Lens authorizes as connect:' },
  'discovery-marketplace.amazonaws.com': {
    prefix: 'aws-marketplace',
    reason: 'Marketplace discovery authorizes as aws-marketplace:',
  },
  'management-marketplace.amazonaws.com': {
    prefix: 'aws-marketplace-management',
    reason: 'Marketplace management portal prefix',
  },
  'marketplacecatalog.amazonaws.com': {
    prefix: 'aws-marketplace',
    reason: 'Marketplace catalog authorizes as aws-marketplace:',
  },
  'migrationhub.amazonaws.com': { prefix: 'mgh', reason: 'Migration Hub authorizes as mgh:' },
  'monitoring.amazonaws.com': { prefix: 'cloudwatch', reason: 'CloudWatch API host is monitoring' },
  'opensearchservice.amazonaws.com': { prefix: 'es', reason: 'OpenSearch Service authorizes as es:' },
  'participant-connect.amazonaws.com': {
    prefix: 'connect',
    reason: 'Connect participant API authorizes as connect:',
  },
  'pinpoint.amazonaws.com': { prefix: 'mobiletargeting', reason: 'Pinpoint authorizes as mobiletargeting:' },
  'pricelist.amazonaws.com': { prefix: 'pricing', reason: 'Price List API authorizes as pricing:' },
  'qconnect.amazonaws.com': { prefix: 'wisdom', reason: 'Amazon Q in Connect authorizes as wisdom:' },
  'rdsdata.amazonaws.com': { prefix: 'rds-data', reason: 'RDS Data API authorizes as rds-data:' },
  'reporting-marketplace.amazonaws.com': {
    prefix: 'aws-marketplace',
    reason: 'Marketplace reporting authorizes as aws-marketplace:',
  },
  'servicecatalog-appregistry.amazonaws.com': {
    prefix: 'servicecatalog',
    reason: 'AppRegistry authorizes as servicecatalog:',
  },
  'streams.dynamodb.amazonaws.com': {
    prefix: 'dynamodb',
    reason: 'DynamoDB Streams authorizes as dynamodb:',
  },
  'tagging.amazonaws.com': { prefix: 'tag', reason: 'Resource Groups Tagging API authorizes as tag:' },
  'taxconsole.amazonaws.com': { prefix: 'tax', reason: 'Tax console API authorizes as tax:' },
  'transcribestreaming.amazonaws.com': {
    prefix: 'transcribe',
    reason: 'Transcribe streaming authorizes as transcribe:',
  },
}

export function servicePrefixOf(eventSource: string): string {
  // Own properties only: eventSource is input data, and `constructor` is on every object.
  if (Object.hasOwn(EVENT_SOURCE_PREFIX, eventSource)) return EVENT_SOURCE_PREFIX[eventSource]!.prefix
  return eventSource.replace(/\.amazonaws\.com$/, '').split('.')[0] ?? eventSource
}
