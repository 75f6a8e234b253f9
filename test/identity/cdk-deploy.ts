/**
 * AWS CDK v2 (`cdk deploy` with the default bootstrap, qualifier hnb659fds) by a developer: the CLI
 * assumes the bootstrap roles (lookup, file-publishing, deploy; sessions aws-cdk-<user>), the deploy
 * role creates and executes a change set with `roleARN` = the execution role, and CloudFormation
 * does all the resource work as that role's `AWSCloudFormation` session. The shapes follow the CDK
 * bootstrap template (roles cdk-<qualifier>-<purpose>-<account>-<region>) and CloudTrail's records of
 * sts:AssumeRole (the new key in responseElements.credentials).
 */
import { RECORDING_FORMAT, writeRecording } from '../../src/collect/recording.js'
import type { CloudTrailEvent, UserIdentity } from '../../src/events/cloudtrail-event.js'
import { ACCOUNT, iamUser, roleSession, Trail } from '../scenarios/kit.js'

export const R = 'eu-west-1'
export const QUALIFIER = 'hnb659fds'
const role = (purpose: string) => `cdk-${QUALIFIER}-${purpose}-${ACCOUNT}-${R}`
const roleArn = (purpose: string) => `arn:aws:iam::${ACCOUNT}:role/${role(purpose)}`
export const DEV = iamUser('alice', 'AKIAALICEEXAMPLE0001', 'AIDAALICEEXAMPLE0001')
export const DEV_ARN = DEV.arn!
export const EXEC_ROLE = roleArn('cfn-exec-role')
export const DEPLOY_ROLE = roleArn('deploy-role')
const CDK_AGENT =
  'aws-sdk-js/3.699.0 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#20.18.0 api/sts#3.699.0 aws-cdk/2.170.0'
const CFN = 'cloudformation.amazonaws.com'
const STACK = 'OrdersStack'
const STACK_ID = `arn:aws:cloudformation:${R}:${ACCOUNT}:stack/${STACK}/5b8e2c10-b0a1-11ef-8f3e-06d1c2a4b5e7`
const ASSETS = `cdk-${QUALIFIER}-assets-${ACCOUNT}-${R}`
const FN_ROLE = `${STACK}-OrdersHandlerServiceRole4F3B6C1D-Q2W3E4R5T6Y7`
const FN = `${STACK}-OrdersHandler9C1E2F3A-u8I9o0P1a2S3`
const TABLE = `${STACK}-OrdersTable315BB997-1A2B3C4D5E6F7`
const QUEUE = `${STACK}-OrdersDlq4A1B2C3D-k9J8h7G6f5D4`

const KEYS = {
  lookup: 'ASIACDKLOOKUPEXAMPL1',
  file: 'ASIACDKFILEPUBEXAMP1',
  deploy: 'ASIACDKDEPLOYEXAMPL1',
  exec: 'ASIACDKCFNEXECEXAMP1',
}

/** Every identity's calls of one `cdk deploy` (or `cdk destroy`), merged in time order. */
export function deploy(): CloudTrailEvent[] {
  const start = '2026-11-20T10:00:00Z'
  const dev = new Trail('cdk-dev', DEV, 'us-east-1', start, CDK_AGENT)
  const lookup = session('lookup-role', KEYS.lookup, 'AROACDKLOOKUPEXAMPLE')
  const file = session('file-publishing-role', KEYS.file, 'AROACDKFILEPUBEXAMPL')
  const dep = session('deploy-role', KEYS.deploy, 'AROACDKDEPLOYEXAMPLE')
  const exec = new Trail(
    'cdk-exec',
    roleSession(role('cfn-exec-role'), 'AWSCloudFormation', KEYS.exec, 'AROACDKCFNEXECEXAMPL', start),
    R,
    '2026-11-20T10:01:00Z',
    CFN,
  )
  assume(dev, 'lookup-role', KEYS.lookup, 'AROACDKLOOKUPEXAMPLE')
  lookup.trail.call('ssm.amazonaws.com', 'GetParameter', { name: `/cdk-bootstrap/${QUALIFIER}/version` })
  assume(dev, 'file-publishing-role', KEYS.file, 'AROACDKFILEPUBEXAMPL')
  file.trail.call(
    's3.amazonaws.com',
    'GetBucketLocation',
    { bucketName: ASSETS, Host: `${ASSETS}.s3.amazonaws.com`, location: '' },
    null,
    {
      resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${ASSETS}`, accountId: ACCOUNT }],
    },
  )
  file.trail.call(
    's3.amazonaws.com',
    'PutObject',
    { bucketName: ASSETS, key: '3f9a1c2b7d.zip', Host: `${ASSETS}.s3.${R}.amazonaws.com` },
    null,
    {
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${ASSETS}/3f9a1c2b7d.zip` },
        { type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${ASSETS}`, accountId: ACCOUNT },
      ],
    },
  )
  assume(dev, 'deploy-role', KEYS.deploy, 'AROACDKDEPLOYEXAMPLE')
  const d = dep.trail
  d.call('ssm.amazonaws.com', 'GetParameter', { name: `/cdk-bootstrap/${QUALIFIER}/version` })
  d.call(CFN, 'DescribeStacks', { stackName: STACK }, null, {
    errorCode: 'ValidationError',
    errorMessage: `Stack with id ${STACK} does not exist`,
  })
  d.call(
    CFN,
    'CreateChangeSet',
    {
      stackName: STACK,
      changeSetName: 'cdk-deploy-change-set',
      changeSetType: 'CREATE',
      templateURL: `https://s3.${R}.amazonaws.com/${ASSETS}/7e1d4c9a.json`,
      roleARN: EXEC_ROLE,
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      parameters: [
        {
          parameterKey: 'BootstrapVersion',
          parameterValue: `/cdk-bootstrap/${QUALIFIER}/version`,
          usePreviousValue: false,
        },
      ],
    },
    {
      id: `arn:aws:cloudformation:${R}:${ACCOUNT}:changeSet/cdk-deploy-change-set/0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5`,
      stackId: STACK_ID,
    },
  )
  d.call(CFN, 'DescribeChangeSet', { stackName: STACK_ID, changeSetName: 'cdk-deploy-change-set' })
  d.call(CFN, 'ExecuteChangeSet', { stackName: STACK_ID, changeSetName: 'cdk-deploy-change-set' })
  const x = exec
  const viaCfn = { via: CFN }
  x.call(
    'iam.amazonaws.com',
    'CreateRole',
    {
      roleName: FN_ROLE,
      assumeRolePolicyDocument:
        '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}',
      tags: [{ key: 'aws:cloudformation:stack-name', value: STACK }],
    },
    { role: { roleName: FN_ROLE, arn: `arn:aws:iam::${ACCOUNT}:role/${FN_ROLE}` } },
    viaCfn,
  )
  x.call(
    'iam.amazonaws.com',
    'AttachRolePolicy',
    {
      roleName: FN_ROLE,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    },
    null,
    viaCfn,
  )
  x.call(
    'dynamodb.amazonaws.com',
    'CreateTable',
    {
      tableName: TABLE,
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
      tags: [{ key: 'aws:cloudformation:stack-name', value: STACK }],
    },
    { tableDescription: { tableName: TABLE, tableArn: `arn:aws:dynamodb:${R}:${ACCOUNT}:table/${TABLE}` } },
    viaCfn,
  )
  x.call('dynamodb.amazonaws.com', 'DescribeTable', { tableName: TABLE }, null, viaCfn)
  x.call(
    'sqs.amazonaws.com',
    'CreateQueue',
    {
      queueName: QUEUE,
      tags: { 'aws:cloudformation:stack-name': STACK },
    },
    { queueUrl: `https://sqs.${R}.amazonaws.com/${ACCOUNT}/${QUEUE}` },
    viaCfn,
  )
  x.call(
    'iam.amazonaws.com',
    'PutRolePolicy',
    {
      roleName: FN_ROLE,
      policyName: 'OrdersHandlerServiceRoleDefaultPolicy',
      policyDocument: '{"Statement":[{"Action":["dynamodb:PutItem","dynamodb:GetItem"],"Effect":"Allow"}]}',
    },
    null,
    viaCfn,
  )
  x.call('iam.amazonaws.com', 'GetRole', { roleName: FN_ROLE }, null, viaCfn)
  x.call(
    'lambda.amazonaws.com',
    'CreateFunction20150331',
    {
      functionName: FN,
      runtime: 'nodejs20.x',
      role: `arn:aws:iam::${ACCOUNT}:role/${FN_ROLE}`,
      handler: 'index.handler',
      code: { s3Bucket: ASSETS, s3Key: '3f9a1c2b7d.zip' },
      environment: {},
      tags: { 'aws:cloudformation:stack-name': STACK },
    },
    { functionName: FN, functionArn: `arn:aws:lambda:${R}:${ACCOUNT}:function:${FN}` },
    viaCfn,
  )
  x.call('lambda.amazonaws.com', 'GetFunction20150331v2', { functionName: FN }, null, viaCfn)
  d.call(CFN, 'DescribeStackEvents', { stackName: STACK_ID }, null, { after: 40 })
  d.call(CFN, 'DescribeStacks', { stackName: STACK_ID })
  return merge(dev, lookup.trail, file.trail, dep.trail, exec)

  function session(purpose: string, key: string, roleId: string) {
    return {
      trail: new Trail(
        `cdk-${purpose}`,
        roleSession(role(purpose), 'aws-cdk-alice', key, roleId, start),
        R,
        start,
        CDK_AGENT,
      ),
    }
  }
}

/** The developer's sts:AssumeRole of a bootstrap role, as CloudTrail logs it (the new key in the response). */
function assume(dev: Trail, purpose: string, key: string, roleId: string): void {
  dev.call(
    'sts.amazonaws.com',
    'AssumeRole',
    { roleArn: roleArn(purpose), roleSessionName: 'aws-cdk-alice', durationSeconds: 3600 },
    {
      credentials: {
        accessKeyId: key,
        sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE',
        expiration: 'Nov 20, 2026, 11:00:00 AM',
      },
      assumedRoleUser: {
        assumedRoleId: `${roleId}:aws-cdk-alice`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role(purpose)}/aws-cdk-alice`,
      },
    },
  )
}

function merge(...trails: Trail[]): CloudTrailEvent[] {
  return trails
    .flatMap((t) => t.events)
    .sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0))
}

/** The recording `iamtrail record -- npx cdk deploy` makes: the graph's roots are the developer's key. */
export async function writeCdkRecording(path: string, events: CloudTrailEvent[]): Promise<void> {
  const perRegion: Record<string, number> = {}
  for (const e of events) perRegion[e.awsRegion] = (perRegion[e.awsRegion] ?? 0) + 1
  const identity: UserIdentity = DEV
  await writeRecording(
    path,
    {
      format: RECORDING_FORMAT,
      iamtrailVersion: '0.1.0',
      name: 'deploy',
      principal: identity.arn!,
      window: { start: events[0]!.eventTime, end: '2026-11-20T10:05:00Z' },
      regions: Object.keys(perRegion).sort(),
      sources: ['scenario'],
      settle: {
        outcome: 'complete',
        detail: 'scenario written from the CDK bootstrap template and CLI (test/identity/cdk-deploy.ts)',
      },
      counts: { events: events.length, perRegion },
      identities: {
        roots: [DEV.accessKeyId!],
        follow: true,
        accessKeys: [DEV.accessKeyId!],
        edges: [],
        excluded: [],
      },
      createdAt: events[0]!.eventTime,
    },
    events,
    true,
  )
}
