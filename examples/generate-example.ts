/**
 * Writes examples/cfn-lambda-deploy.rec: a CloudFormation deploy (no service role) of a stack with a
 * Lambda function, its execution role and an S3 bucket, by a CI deployer role. Events are shaped like
 * real CloudTrail records; CloudFormation's calls carry the deployer's identity with invokedBy, as
 * CloudTrail logs them when a stack has no service role. Run: npx tsx examples/generate-example.ts
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RECORDING_FORMAT, writeRecording } from '../src/collect/recording.js'
import type { CloudTrailEvent } from '../src/events/cloudtrail-event.js'

const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'
const STACK = 'orders-api-prod'
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5b6f1c60-c6a1-11ef-9d2b-0a8e3f4b5c6d`
const ROLE = `${STACK}-OrdersFunctionRole-1JX9Q2ZK4M7TB`
const BUCKET = `${STACK}-assetsbucket-x3k9p1m2q8rz`
const FUNCTION = `${STACK}-OrdersFunction-Vb3nK8pQ2wXy`
const CLI_AGENT = 'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1017-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#cloudformation.deploy'
const CFN = 'cloudformation.amazonaws.com'

const identity = {
  type: 'AssumedRole',
  principalId: 'AROAXKQ3EXAMPLE7DPL0Y:GitHubActions-orders-api-4187',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/GitHubActions-orders-api-4187`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAXKQ3EXAMPLEQ4ZK7',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAXKQ3EXAMPLE7DPL0Y',
      arn: `arn:aws:iam::${ACCOUNT}:role/deployer`,
      accountId: ACCOUNT,
      userName: 'deployer',
    },
    webIdFederationData: {
      federatedProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      attributes: {},
    },
    attributes: { creationDate: '2026-11-20T10:00:41Z', mfaAuthenticated: 'false' },
  },
}

let n = 0
function event(
  second: number,
  eventSource: string,
  eventName: string,
  requestParameters: Record<string, unknown> | null,
  responseElements: Record<string, unknown> | null,
  opts: { viaCfn?: boolean; readOnly?: boolean; region?: string; resources?: CloudTrailEvent['resources']; errorCode?: string; errorMessage?: string } = {},
): CloudTrailEvent {
  n++
  const hex = n.toString(16).padStart(4, '0')
  const t = new Date(Date.UTC(2026, 10, 20, 10, 1, 0) + second * 1000).toISOString().replace('.000Z', 'Z')
  const e: CloudTrailEvent = {
    eventVersion: '1.09',
    userIdentity: opts.viaCfn ? { ...identity, invokedBy: CFN } : identity,
    eventTime: t,
    eventSource,
    eventName,
    awsRegion: opts.region ?? REGION,
    sourceIPAddress: opts.viaCfn ? CFN : '20.57.79.14',
    userAgent: opts.viaCfn ? CFN : CLI_AGENT,
    requestParameters,
    responseElements,
    requestID: `8c2f${hex}-51d7-4c0e-9a43-2b7f0e6d${hex}`,
    eventID: `3e9a${hex}-7b21-4f6c-8d05-c41e9b2a${hex}`,
    readOnly: opts.readOnly ?? false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  }
  if (opts.errorCode) {
    e.errorCode = opts.errorCode
    e.errorMessage = opts.errorMessage ?? ''
  }
  if (opts.resources) e.resources = opts.resources
  if (!opts.viaCfn) {
    e.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${eventSource.split('.')[0]}.${e.awsRegion}.amazonaws.com` }
  }
  return e
}

const tags = [
  { key: 'app', value: 'orders-api' },
  { key: 'env', value: 'prod' },
]
const roleArn = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`
const functionArn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}`

const events: CloudTrailEvent[] = [
  event(0, 'sts.amazonaws.com', 'GetCallerIdentity', null, null, { readOnly: true }),
  event(2, 'cloudformation.amazonaws.com', 'DescribeStacks', { stackName: STACK }, null, {
    readOnly: true,
    errorCode: 'ValidationError',
    errorMessage: `Stack with id ${STACK} does not exist`,
  }),
  event(4, 'cloudformation.amazonaws.com', 'CreateChangeSet', {
    stackName: STACK,
    templateURL: 'https://s3.eu-west-1.amazonaws.com/cf-templates-1q2w3e4r5t6y-eu-west-1/2026324Ytv-orders-api.template',
    parameters: [{ parameterKey: 'Stage', parameterValue: 'prod' }],
    capabilities: ['CAPABILITY_IAM'],
    tags: tags.map((t) => ({ key: t.key, value: t.value })),
    changeSetName: 'awscli-cloudformation-package-deploy-1763632864',
    changeSetType: 'CREATE',
  }, {
    id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/awscli-cloudformation-package-deploy-1763632864/0f4d5c2a-3b1e-4c7d-9e8f-1a2b3c4d5e6f`,
    stackId: STACK_ID,
  }),
  event(9, 'cloudformation.amazonaws.com', 'DescribeChangeSet', { changeSetName: 'awscli-cloudformation-package-deploy-1763632864', stackName: STACK }, null, { readOnly: true }),
  event(11, 'cloudformation.amazonaws.com', 'ExecuteChangeSet', { changeSetName: 'awscli-cloudformation-package-deploy-1763632864', stackName: STACK }, null),
  event(14, 's3.amazonaws.com', 'CreateBucket', { bucketName: BUCKET, Host: `${BUCKET}.s3.${REGION}.amazonaws.com`, CreateBucketConfiguration: { LocationConstraint: REGION, xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' } }, null, {
    viaCfn: true,
    resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` }],
  }),
  event(15, 'iam.amazonaws.com', 'CreateRole', {
    path: '/',
    roleName: ROLE,
    assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}',
    tags: [...tags, { key: 'aws:cloudformation:stack-name', value: STACK }],
  }, {
    role: { path: '/', roleName: ROLE, roleId: 'AROAXKQ3EXAMPLE2ORDR1', arn: roleArn, createDate: 'Nov 20, 2026 10:01:15 AM', assumeRolePolicyDocument: '%7B%22Version%22%3A%222012-10-17%22%7D', tags },
  }, { viaCfn: true, region: 'us-east-1' }),
  event(16, 's3.amazonaws.com', 'PutBucketTagging', { bucketName: BUCKET, Host: `${BUCKET}.s3.${REGION}.amazonaws.com`, tagging: '' }, null, {
    viaCfn: true,
    resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` }],
  }),
  event(17, 'iam.amazonaws.com', 'AttachRolePolicy', { roleName: ROLE, policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }, null, { viaCfn: true, region: 'us-east-1' }),
  event(18, 'iam.amazonaws.com', 'PutRolePolicy', { roleName: ROLE, policyName: 'orders-table-access', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::orders-api-prod-assetsbucket-x3k9p1m2q8rz/*"}]}' }, null, { viaCfn: true, region: 'us-east-1' }),
  event(19, 'iam.amazonaws.com', 'GetRole', { roleName: ROLE }, null, { viaCfn: true, region: 'us-east-1', readOnly: true }),
  event(31, 'lambda.amazonaws.com', 'CreateFunction20150331', {
    functionName: FUNCTION,
    runtime: 'nodejs22.x',
    role: roleArn,
    handler: 'index.handler',
    code: { s3Bucket: 'cf-templates-1q2w3e4r5t6y-eu-west-1', s3Key: 'orders-api/2f6c1b0e9d8a7c6b5a4f3e2d1c0b9a8f' },
    timeout: 10,
    memorySize: 256,
    publish: false,
    environment: {},
    tags: { app: 'orders-api', env: 'prod', 'aws:cloudformation:stack-name': STACK },
    architectures: ['arm64'],
  }, {
    functionName: FUNCTION,
    functionArn,
    runtime: 'nodejs22.x',
    role: roleArn,
    handler: 'index.handler',
    state: 'Pending',
    version: '$LATEST',
  }, { viaCfn: true }),
  event(33, 'lambda.amazonaws.com', 'GetFunction20150331v2', { functionName: FUNCTION }, null, { viaCfn: true, readOnly: true }),
  event(36, 'lambda.amazonaws.com', 'PublishVersion20150331', { functionName: FUNCTION }, { functionArn: `${functionArn}:1`, version: '1' }, { viaCfn: true }),
  event(38, 'lambda.amazonaws.com', 'CreateAlias20150331', { functionName: FUNCTION, name: 'live', functionVersion: '1' }, { aliasArn: `${functionArn}:live`, name: 'live', functionVersion: '1' }, { viaCfn: true }),
  event(45, 'cloudformation.amazonaws.com', 'DescribeStackEvents', { stackName: STACK }, null, { readOnly: true }),
  event(62, 'cloudformation.amazonaws.com', 'DescribeStacks', { stackName: STACK }, null, { readOnly: true }),
]

const out = join(fileURLToPath(new URL('.', import.meta.url)), 'cfn-lambda-deploy.rec')
await rm(out, { recursive: true, force: true })
await writeRecording(
  out,
  {
    format: RECORDING_FORMAT,
    iamtrailVersion: '0.1.0',
    name: 'deploy',
    principal: `arn:aws:iam::${ACCOUNT}:role/deployer`,
    window: { start: '2026-11-20T10:00:30Z', end: '2026-11-20T10:03:00Z' },
    regions: ['eu-west-1', 'us-east-1'],
    sources: ['example'],
    settle: { outcome: 'complete', detail: 'hand-written example' },
    counts: {
      events: events.length,
      perRegion: Object.fromEntries(['eu-west-1', 'us-east-1'].map((r) => [r, events.filter((e) => e.awsRegion === r).length])),
    },
    command: { argv: ['aws', 'cloudformation', 'deploy', '--stack-name', STACK, '--template-file', 'packaged.yaml', '--capabilities', 'CAPABILITY_IAM'], exitCode: 0 },
    createdAt: '2026-11-20T10:09:00Z',
  },
  events,
)
console.log(`wrote ${out} (${events.length} events)`)
