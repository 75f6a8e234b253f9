/**
 * Writes the events of the diff golden cases: a Jets-style deploy (prefix "demo") through
 * CloudFormation without a service role, by the IAM user tung of the Jets seed. Run with
 * `npx tsx test/diff/make-fixtures.ts` after changing it; the output is committed.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { ACCOUNT, apiCall, userIdentity } from '../support/events.js'

const tung = userIdentity('tung', 'AKIAEXAMPLETUNG00001')
const viaCfn = { ...tung, invokedBy: 'cloudformation.amazonaws.com' }
const cfn = {
  userIdentity: viaCfn,
  sourceIPAddress: 'cloudformation.amazonaws.com',
  userAgent: 'cloudformation.amazonaws.com',
}
const region = 'us-west-2'
let t = Date.parse('2026-11-20T10:00:00Z')
const at = () => {
  t += 7000
  return new Date(t).toISOString().replace('.000Z', 'Z')
}
const ev = (o: Partial<CloudTrailEvent> & Pick<CloudTrailEvent, 'eventSource' | 'eventName'>) =>
  apiCall({ userIdentity: tung, awsRegion: region, eventTime: at(), ...o })
const stack = `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/demo-dev/8a3c1f20-c6a2-11ef-8f1e-02d1c4a5b6e7`
const role = `arn:aws:iam::${ACCOUNT}:role/demo-dev-IamRole-1Q2W3E4R5T6Y`

const events: CloudTrailEvent[] = [
  ev({
    eventSource: 'cloudformation.amazonaws.com',
    eventName: 'DescribeStacks',
    requestParameters: { stackName: 'demo-dev' },
    errorCode: 'ValidationError',
    errorMessage: 'Stack with id demo-dev does not exist',
    readOnly: true,
  }),
  ev({
    eventSource: 'cloudformation.amazonaws.com',
    eventName: 'CreateStack',
    requestParameters: {
      stackName: 'demo-dev',
      templateURL:
        'https://demo-dev-s3bucket-1a2b3c4d5e6f.s3.amazonaws.com/jets/cfn-templates/dev/parent.yml',
      capabilities: ['CAPABILITY_IAM'],
    },
    responseElements: { stackId: stack },
  }),
  ev({
    ...cfn,
    eventSource: 's3.amazonaws.com',
    eventName: 'CreateBucket',
    requestParameters: {
      bucketName: 'demo-dev-s3bucket-1a2b3c4d5e6f',
      Host: 'demo-dev-s3bucket-1a2b3c4d5e6f.s3.us-west-2.amazonaws.com',
    },
    resources: [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::demo-dev-s3bucket-1a2b3c4d5e6f' }],
  }),
  ev({
    ...cfn,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateRole',
    awsRegion: 'us-east-1',
    requestParameters: {
      roleName: 'demo-dev-IamRole-1Q2W3E4R5T6Y',
      path: '/',
      assumeRolePolicyDocument: '{}',
    },
    responseElements: { role: { arn: role, roleName: 'demo-dev-IamRole-1Q2W3E4R5T6Y', path: '/' } },
  }),
  ev({
    ...cfn,
    eventSource: 'iam.amazonaws.com',
    eventName: 'PutRolePolicy',
    awsRegion: 'us-east-1',
    requestParameters: {
      roleName: 'demo-dev-IamRole-1Q2W3E4R5T6Y',
      policyName: 'demo-dev-policy',
      policyDocument: '{}',
    },
  }),
  ev({
    ...cfn,
    eventSource: 'iam.amazonaws.com',
    eventName: 'GetRole',
    awsRegion: 'us-east-1',
    readOnly: true,
    requestParameters: { roleName: 'demo-dev-IamRole-1Q2W3E4R5T6Y' },
  }),
  ev({
    ...cfn,
    eventSource: 'lambda.amazonaws.com',
    eventName: 'CreateFunction20150331',
    requestParameters: {
      functionName: 'demo-dev-controller-index',
      role,
      runtime: 'ruby3.3',
      handler: 'handlers/controllers/index.index',
    },
    responseElements: {
      functionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:demo-dev-controller-index`,
    },
  }),
  ev({
    ...cfn,
    eventSource: 'logs.amazonaws.com',
    eventName: 'CreateLogGroup',
    requestParameters: { logGroupName: '/aws/lambda/demo-dev-controller-index' },
  }),
  ev({
    ...cfn,
    eventSource: 'events.amazonaws.com',
    eventName: 'PutRule',
    requestParameters: {
      name: 'demo-dev-hard-job-dig',
      scheduleExpression: 'rate(10 hours)',
      state: 'ENABLED',
    },
  }),
  ev({
    ...cfn,
    eventSource: 'apigateway.amazonaws.com',
    eventName: 'CreateRestApi',
    requestParameters: { name: 'demo-dev' },
    responseElements: { id: 'x1y2z3a4b5' },
  }),
  ev({
    eventSource: 'cloudformation.amazonaws.com',
    eventName: 'DescribeStackEvents',
    requestParameters: { stackName: 'demo-dev' },
    readOnly: true,
  }),
  ev({
    eventSource: 'cloudformation.amazonaws.com',
    eventName: 'DescribeStacks',
    requestParameters: { stackName: 'demo-dev' },
    readOnly: true,
  }),
]

const here = fileURLToPath(new URL('.', import.meta.url))
writeFileSync(
  join(here, 'fixtures', 'jets-deploy.ndjson'),
  `${events.map((e) => JSON.stringify(e)).join('\n')}\n`,
)
