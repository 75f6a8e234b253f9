import { beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import type { EventMapper, EventMapping, MappedGrant } from '../../src/reduce/mapping.js'
import { RENAMES } from '../../src/reduce/rules/renames.js'
import { ACCOUNT, apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'

const catalog = new Catalog()
let mapper: EventMapper

beforeAll(async () => {
  for (const p of [
    's3',
    'lambda',
    'kms',
    'iam',
    'ec2',
    'apigateway',
    'ecs',
    'cloudformation',
    'ssm',
    'sts',
    'logs',
    'sqs',
    'cloudwatch',
    'tag',
    'mq',
    'dynamodb',
    'states',
    'events',
    'rds',
    'elasticloadbalancing',
    'ssmmessages',
    'ec2messages',
  ]) {
    await catalog.ensureService(p)
  }
  mapper = createMapper(catalog)
})

function map(e: CloudTrailEvent): EventMapping {
  return mapper.map(e)
}
function grants(e: CloudTrailEvent): MappedGrant[] {
  const m = map(e)
  if (m.kind !== 'mapped') throw new Error(`${e.eventName}: ${m.kind} ${'reason' in m ? m.reason : ''}`)
  return m.grants
}
const pairs = (e: CloudTrailEvent) => grants(e).map((g) => `${g.action} ${g.resource}`)
const s3 = (eventName: string, over: Partial<CloudTrailEvent> = {}) =>
  apiCall({ eventSource: 's3.amazonaws.com', eventName, awsRegion: 'eu-west-1', ...over })
const bucket = (name: string) => ({
  resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${name}`, accountId: ACCOUNT }],
})

describe('eventSource → IAM prefix', () => {
  it.each([
    ['monitoring.amazonaws.com', 'PutMetricAlarm', 'cloudwatch:PutMetricAlarm'],
    ['tagging.amazonaws.com', 'GetResources', 'tag:GetResources'],
    ['amazonmq.amazonaws.com', 'CreateBroker', 'mq:CreateBroker'],
    ['streams.dynamodb.amazonaws.com', 'DescribeStream', 'dynamodb:DescribeStream'],
  ])('%s %s → %s', (eventSource, eventName, action) => {
    expect(grants(apiCall({ eventSource, eventName })).map((g) => g.action)).toContain(action)
  })
  it('an unknown eventSource is unmapped with a reason, never guessed', () => {
    expect(map(apiCall({ eventSource: 'madeup.amazonaws.com', eventName: 'DoThing' }))).toMatchObject({
      kind: 'unmapped',
      reason: expect.stringContaining('madeup.amazonaws.com'),
    })
  })
  it('an unknown event name is unmapped with the action it looked for', () => {
    expect(map(apiCall({ eventSource: 's3.amazonaws.com', eventName: 'FrobnicateBucket' }))).toMatchObject({
      kind: 'unmapped',
      reason: expect.stringContaining('s3:FrobnicateBucket'),
    })
  })
})

describe('S3 names', () => {
  it.each([
    ['ListObjects', 's3:ListBucket'],
    ['ListObjectsV2', 's3:ListBucket'],
    ['HeadBucket', 's3:ListBucket'],
    ['GetBucketLifecycle', 's3:GetLifecycleConfiguration'],
    ['PutBucketLifecycle', 's3:PutLifecycleConfiguration'],
    ['DeleteBucketLifecycle', 's3:PutLifecycleConfiguration'],
    ['GetBucketCors', 's3:GetBucketCORS'],
    ['PutBucketCors', 's3:PutBucketCORS'],
    ['GetBucketEncryption', 's3:GetEncryptionConfiguration'],
    ['GetBucketReplication', 's3:GetReplicationConfiguration'],
    ['PutBucketReplication', 's3:PutReplicationConfiguration'],
    ['DeleteBucketReplication', 's3:PutReplicationConfiguration'],
    ['GetBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
    ['PutBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
    ['GetBucketNotification', 's3:GetBucketNotification'],
    ['PutBucketNotification', 's3:PutBucketNotification'],
  ])('%s → %s on the bucket ARN', (eventName, action) => {
    expect(
      pairs(s3(eventName, { requestParameters: { bucketName: 'app-assets' }, ...bucket('app-assets') })),
    ).toContain(`${action} arn:aws:s3:::app-assets`)
  })
  it('ListBuckets is ListAllMyBuckets, on "*"', () => {
    expect(pairs(s3('ListBuckets'))).toEqual(['s3:ListAllMyBuckets *'])
  })
  it('account-level public access block is its own action', () => {
    expect(grants(s3('PutAccountPublicAccessBlock')).map((g) => g.action)).toEqual([
      's3:PutAccountPublicAccessBlock',
    ])
  })
  it('object calls act on bucket/key ARNs, never on the bucket', () => {
    const e = s3('HeadObject', {
      requestParameters: { bucketName: 'app-assets', key: 'build/app.zip' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::app-assets/build/app.zip' },
        { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::app-assets', accountId: ACCOUNT },
      ],
    })
    expect(pairs(e)).toEqual(['s3:GetObject arn:aws:s3:::app-assets/build/app.zip'])
  })
  it('multipart uploads and multi-delete', () => {
    for (const n of ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload']) {
      expect(pairs(s3(n, { requestParameters: { bucketName: 'b', key: 'k' } }))).toEqual([
        's3:PutObject arn:aws:s3:::b/k',
      ])
    }
    expect(
      grants(s3('DeleteObjects', { requestParameters: { bucketName: 'b', delete: '' } }))[0]!.action,
    ).toBe('s3:DeleteObject')
  })
  it('CopyObject writes the target and reads the source', () => {
    const e = s3('CopyObject', {
      requestParameters: {
        bucketName: 'dst',
        key: 'a/b.txt',
        'x-amz-copy-source': 'src-bucket/in%20put.txt?versionId=3',
      },
    })
    // The source names a version, so the copy reads that version too (the SAR's CopyObject row).
    expect(pairs(e).sort()).toEqual([
      's3:GetObject arn:aws:s3:::src-bucket/in put.txt',
      's3:GetObjectVersion arn:aws:s3:::src-bucket/in put.txt',
      's3:PutObject arn:aws:s3:::dst/a/b.txt',
    ])
  })
  it('PutBucketReplication needs iam:PassRole on the replication role for S3', () => {
    const e = s3('PutBucketReplication', {
      requestParameters: {
        bucketName: 'src',
        ReplicationConfiguration: {
          Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`,
          Rule: { Status: 'Enabled' },
        },
      },
    })
    const pr = grants(e).find((g) => g.action === 'iam:PassRole')!
    expect(pr).toMatchObject({
      resource: `arn:aws:iam::${ACCOUNT}:role/s3-replication`,
      condition: { StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } },
    })
    expect(pr.inferredBy).toMatch(/^infer:pass-role/)
  })
})

describe('Lambda, KMS and calls that need several actions', () => {
  const lambda = (
    eventName: string,
    requestParameters: Record<string, unknown>,
    over: Partial<CloudTrailEvent> = {},
  ) => apiCall({ eventSource: 'lambda.amazonaws.com', eventName, requestParameters, ...over })
  it.each([
    ['CreateFunction20150331', 'lambda:CreateFunction'],
    ['UpdateFunctionCode20150331v2', 'lambda:UpdateFunctionCode'],
    ['AddPermission20150331v2', 'lambda:AddPermission'],
    ['GetFunction20150331v2', 'lambda:GetFunction'],
    ['ListTags20170331', 'lambda:ListTags'],
    ['Invoke', 'lambda:InvokeFunction'],
  ])('%s → %s on the function ARN', (eventName, action) => {
    expect(pairs(lambda(eventName, { functionName: 'orders' }))).toContain(
      `${action} arn:aws:lambda:eu-west-1:${ACCOUNT}:function:orders`,
    )
  })
  it('strips only real version patterns', () => {
    // A name that ends in digits for another reason is looked up as is (and is unknown to Lambda).
    expect(map(lambda('CreateEnvironmentEC2', {}))).toMatchObject({
      kind: 'unmapped',
      reason: expect.stringContaining('lambda:CreateEnvironmentEC2'),
    })
  })
  it('CreateFunction passes its role to Lambda and tags on create', () => {
    const g = grants(
      lambda('CreateFunction20150331', {
        functionName: 'orders',
        role: `arn:aws:iam::${ACCOUNT}:role/orders-exec`,
        tags: { team: 'a' },
      }),
    )
    expect(g.map((x) => `${x.action} ${x.resource}`).sort()).toEqual([
      `iam:PassRole arn:aws:iam::${ACCOUNT}:role/orders-exec`,
      `lambda:CreateFunction arn:aws:lambda:eu-west-1:${ACCOUNT}:function:orders`,
      `lambda:TagResource arn:aws:lambda:eu-west-1:${ACCOUNT}:function:orders`,
    ])
    expect(g.find((x) => x.action === 'iam:PassRole')!.condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    })
  })
  it('KMS ReEncrypt needs ReEncryptFrom and ReEncryptTo', () => {
    const e = apiCall({
      eventSource: 'kms.amazonaws.com',
      eventName: 'ReEncrypt',
      resources: [
        {
          ARN: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          type: 'AWS::KMS::Key',
        },
      ],
    })
    expect(grants(e).map((g) => g.action)).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo'])
  })
})

describe('API Gateway calls that are not CRUD on their noun', () => {
  const gw = (eventName: string, requestParameters: Record<string, unknown>) =>
    pairs(
      apiCall({
        eventSource: 'apigateway.amazonaws.com',
        eventName,
        awsRegion: 'eu-west-1',
        requestParameters,
      }),
    )
  const P = 'arn:aws:apigateway:eu-west-1::'
  it.each([
    [
      'FlushStageCache',
      { restApiId: 'a1b2c3', stageName: 'prod' },
      `apigateway:DELETE ${P}/restapis/a1b2c3/stages/prod/cache/data`,
    ],
    [
      'FlushStageAuthorizersCache',
      { restApiId: 'a1b2c3', stageName: 'prod' },
      `apigateway:DELETE ${P}/restapis/a1b2c3/stages/prod/cache/authorizers`,
    ],
    ['GenerateClientCertificate', { description: 'x' }, `apigateway:POST ${P}/clientcertificates`],
    ['ImportRestApi', { failOnWarnings: true }, `apigateway:POST ${P}/restapis`],
    ['ImportApiKeys', { format: 'csv' }, `apigateway:POST ${P}/apikeys`],
    [
      'TestInvokeMethod',
      { restApiId: 'a1b2c3', resourceId: 'r1', httpMethod: 'GET' },
      `apigateway:POST ${P}/restapis/a1b2c3/resources/r1/methods/GET`,
    ],
    [
      'TagResource',
      { resourceArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3', tags: { team: 'orders' } },
      `apigateway:PUT ${P}/tags/${encodeURIComponent('arn:aws:apigateway:eu-west-1::/restapis/a1b2c3')}`,
    ],
    [
      'UntagResource',
      { resourceArn: 'arn:aws:apigateway:eu-west-1::/apis/h1', tagKeys: ['team'] },
      `apigateway:DELETE ${P}/tags/${encodeURIComponent('arn:aws:apigateway:eu-west-1::/apis/h1')}`,
    ],
  ])('%s', (eventName, params, expected) => {
    expect(gw(eventName, params)).toContain(expected)
  })
  it('a create with tags also needs the tagging verb', () => {
    expect(gw('CreateRestApi', { name: 'orders', tags: { team: 'orders' } })).toEqual([
      `apigateway:POST ${P}/restapis`,
      `apigateway:PUT ${P}/restapis`,
    ])
    expect(gw('CreateRestApi', { name: 'orders' })).toEqual([`apigateway:POST ${P}/restapis`])
  })
})

describe('API Gateway: HTTP verbs on path ARNs, v1 and v2 told apart by the request', () => {
  const apigw = (eventName: string, requestParameters: Record<string, unknown>) =>
    apiCall({ eventSource: 'apigateway.amazonaws.com', eventName, requestParameters })
  const base = `arn:aws:apigateway:eu-west-1::`
  it.each([
    ['CreateRestApi', { name: 'orders' }, `apigateway:POST ${base}/restapis`],
    ['GetRestApis', {}, `apigateway:GET ${base}/restapis`],
    ['DeleteRestApi', { restApiId: 'a1b2c3' }, `apigateway:DELETE ${base}/restapis/a1b2c3`],
    [
      'CreateDeployment',
      { restApiId: 'a1b2c3', stageName: 'prod' },
      `apigateway:POST ${base}/restapis/a1b2c3/deployments`,
    ],
    [
      'PutMethod',
      { restApiId: 'a1b2c3', resourceId: 'r9', httpMethod: 'GET' },
      `apigateway:PUT ${base}/restapis/a1b2c3/resources/r9/methods/GET`,
    ],
    [
      'PutIntegration',
      { restApiId: 'a1b2c3', resourceId: 'r9', httpMethod: 'GET' },
      `apigateway:PUT ${base}/restapis/a1b2c3/resources/r9/methods/GET/integration`,
    ],
    [
      'UpdateStage',
      { restApiId: 'a1b2c3', stageName: 'prod' },
      `apigateway:PATCH ${base}/restapis/a1b2c3/stages/prod`,
    ],
    ['CreateApi', { name: 'http', protocolType: 'HTTP' }, `apigateway:POST ${base}/apis`],
    ['CreateStage', { apiId: 'h7j8k9', stageName: '$default' }, `apigateway:POST ${base}/apis/h7j8k9/stages`],
    ['CreateRoute', { apiId: 'h7j8k9', routeKey: 'GET /x' }, `apigateway:POST ${base}/apis/h7j8k9/routes`],
    ['DeleteApi', { apiId: 'h7j8k9' }, `apigateway:DELETE ${base}/apis/h7j8k9`],
  ])('%s', (eventName, params, expected) => {
    expect(pairs(apigw(eventName, params))).toEqual([expected])
  })
})

describe('permissions no event shows', () => {
  it('ECS task definitions pass the task and execution roles to ECS tasks', () => {
    const e = apiCall({
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RegisterTaskDefinition',
      requestParameters: {
        family: 'web',
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/web-task`,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
      },
    })
    expect(
      grants(e)
        .filter((g) => g.action === 'iam:PassRole')
        .map((g) => g.resource)
        .sort(),
    ).toEqual([`arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`, `arn:aws:iam::${ACCOUNT}:role/web-task`])
  })
  it('CloudFormation with a service role passes it; without one, no PassRole', () => {
    const withRole = apiCall({
      eventSource: 'cloudformation.amazonaws.com',
      eventName: 'CreateStack',
      requestParameters: { stackName: 's', roleARN: `arn:aws:iam::${ACCOUNT}:role/cfn-exec` },
    })
    expect(grants(withRole).find((g) => g.action === 'iam:PassRole')?.condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    })
    const without = apiCall({
      eventSource: 'cloudformation.amazonaws.com',
      eventName: 'CreateStack',
      requestParameters: { stackName: 's' },
    })
    expect(grants(without).map((g) => g.action)).toEqual(['cloudformation:CreateStack'])
    expect(grants(without)[0]!.resource).toBe(`arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/s/*`)
  })
  it('RunInstances resolves the instance profile role learned earlier in the stream', () => {
    const fresh = createMapper(catalog)
    fresh.map(
      apiCall({
        eventSource: 'iam.amazonaws.com',
        eventName: 'AddRoleToInstanceProfile',
        requestParameters: { instanceProfileName: 'web', roleName: 'web-role' },
      }),
    )
    const run = apiCall({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: {
        instancesSet: { items: [{ imageId: 'ami-0abc', minCount: 1, maxCount: 1 }] },
        iamInstanceProfile: { name: 'web' },
        tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'Name', value: 'web' }] }] },
      },
    })
    const m = fresh.map(run)
    if (m.kind !== 'mapped') throw new Error('unmapped')
    expect(m.grants.find((g) => g.action === 'iam:PassRole')).toMatchObject({
      resource: `arn:aws:iam::${ACCOUNT}:role/web-role`,
      condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    })
    expect(m.grants.find((g) => g.action === 'ec2:CreateTags')).toMatchObject({
      resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*`,
      condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    })
  })
  it('an instance profile whose role is not known yet is deferred, not invented', () => {
    const fresh = createMapper(catalog)
    const m = fresh.map(
      apiCall({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        requestParameters: { iamInstanceProfile: { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/later` } },
      }),
    )
    if (m.kind !== 'mapped') throw new Error('unmapped')
    expect(m.grants.find((g) => g.action === 'iam:PassRole')).toMatchObject({
      resource: '*',
      instanceProfile: 'later',
      unresolved: true,
    })
    fresh.map(
      apiCall({
        eventSource: 'iam.amazonaws.com',
        eventName: 'GetInstanceProfile',
        requestParameters: { instanceProfileName: 'later' },
        responseElements: {
          instanceProfile: { instanceProfileName: 'later', roles: [{ roleName: 'later-role' }] },
        },
      }),
    )
    expect(fresh.profileRole?.('later', apiCall({ eventSource: 'ec2.amazonaws.com', eventName: 'X' }))).toBe(
      `arn:aws:iam::${ACCOUNT}:role/later-role`,
    )
  })
  it('IAM creates with tags need the tagging action on the new resource', () => {
    const e = apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateRole',
      awsRegion: 'us-east-1',
      requestParameters: { roleName: 'app', path: '/svc/', tags: [{ key: 'a', value: 'b' }] },
    })
    expect(pairs(e).sort()).toEqual([
      `iam:CreateRole arn:aws:iam::${ACCOUNT}:role/svc/app`,
      `iam:TagRole arn:aws:iam::${ACCOUNT}:role/svc/app`,
    ])
    const untagged = apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateRole',
      requestParameters: { roleName: 'app', tags: [] },
    })
    expect(grants(untagged).map((g) => g.action)).toEqual(['iam:CreateRole'])
  })
  it('KMS CreateKey with tags needs kms:TagResource; SQS CreateQueue with tags needs sqs:TagQueue', () => {
    const key = apiCall({
      eventSource: 'kms.amazonaws.com',
      eventName: 'CreateKey',
      requestParameters: { tags: [{ tagKey: 'a', tagValue: 'b' }] },
      responseElements: {
        keyMetadata: {
          keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
          arn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        },
      },
    })
    expect(pairs(key)).toContain(
      `kms:TagResource arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    )
    const q = apiCall({
      eventSource: 'sqs.amazonaws.com',
      eventName: 'CreateQueue',
      requestParameters: { queueName: 'jobs', tags: { team: 'a' } },
    })
    expect(pairs(q).sort()).toEqual([
      `sqs:CreateQueue arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`,
      `sqs:TagQueue arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`,
    ])
  })
})

describe('resources', () => {
  it('fills SAR ARN formats from request fields, with the path of the role', () => {
    expect(
      pairs(
        apiCall({
          eventSource: 'ssm.amazonaws.com',
          eventName: 'PutParameter',
          requestParameters: { name: '/app/prod/db-url', type: 'String' },
        }),
      ),
    ).toEqual([`ssm:PutParameter arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/prod/db-url`])
    expect(
      pairs(
        apiCall({
          eventSource: 'logs.amazonaws.com',
          eventName: 'CreateLogGroup',
          requestParameters: { logGroupName: '/aws/lambda/orders' },
        }),
      ),
    ).toEqual([`logs:CreateLogGroup arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/orders`])
  })
  it('prefers an ARN from the response when the request only names the resource', () => {
    const e = apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetRole',
      requestParameters: { roleName: 'deep' },
      responseElements: { role: { arn: `arn:aws:iam::${ACCOUNT}:role/a/b/deep` } },
    })
    expect(pairs(e)).toEqual([`iam:GetRole arn:aws:iam::${ACCOUNT}:role/a/b/deep`])
  })
  it('an IAM user call without userName acts on the caller', () => {
    const e = apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetUser',
      userIdentity: userIdentity('ci'),
      requestParameters: null,
    })
    expect(pairs(e)).toEqual([`iam:GetUser arn:aws:iam::${ACCOUNT}:user/ci`])
  })
  it('an unnamed resource is "*" with a finding, never a made-up ARN', () => {
    const m = map(
      apiCall({
        eventSource: 'ssm.amazonaws.com',
        eventName: 'DeleteParameter',
        errorCode: 'ThrottlingException',
        requestParameters: null,
      }),
    )
    expect(m).toMatchObject({
      kind: 'mapped',
      grants: [{ action: 'ssm:DeleteParameter', resource: '*', unresolved: true }],
      findings: [{ code: 'resource.unresolved' }],
    })
  })
  it('actions without resource types take "*" silently', () => {
    expect(map(apiCall({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeVpcs' }))).toMatchObject({
      kind: 'mapped',
      grants: [{ resource: '*' }],
      findings: [],
    })
  })
})

describe('events that need no permission are excluded with a reason', () => {
  it.each([
    [{ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' }, 'exclude:sts-get-caller-identity'],
    [
      { eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn' },
      'exclude:console-sign-in',
    ],
    [
      { eventSource: 'kms.amazonaws.com', eventName: 'RotateKey', eventType: 'AwsServiceEvent' },
      'exclude:service-event',
    ],
    [{ eventSource: 'sso-oauth.amazonaws.com', eventName: 'CreateToken' }, 'exclude:sso-oauth'],
  ])('%o', (over, rule) => {
    expect(map(apiCall(over as Pick<CloudTrailEvent, 'eventSource' | 'eventName'>))).toMatchObject({
      kind: 'excluded',
      rule,
      reason: expect.any(String),
    })
  })
})

describe('Session Manager channels are permissions of whoever opens them', () => {
  // An instance role or an operator opening a session needs them; the AccessDenied errorMessage of
  // such a call names the ssmmessages: action, whichever eventSource CloudTrail logged it under.
  it.each([
    ['ssmmessages.amazonaws.com', 'OpenControlChannel', 'ssmmessages:OpenControlChannel'],
    ['ssm.amazonaws.com', 'CreateControlChannel', 'ssmmessages:CreateControlChannel'],
    ['ssm.amazonaws.com', 'OpenControlChannel', 'ssmmessages:OpenControlChannel'],
    ['ec2messages.amazonaws.com', 'GetMessages', 'ec2messages:GetMessages'],
  ])('%s %s → %s', (eventSource, eventName, action) => {
    expect(grants(apiCall({ eventSource, eventName })).map((g) => g.action)).toEqual([action])
  })
})

describe('who made the call', () => {
  it('calls CloudFormation makes for the deployer are the deployer’s permissions', () => {
    const id = { ...roleSessionIdentity('deployer', 's'), invokedBy: 'cloudformation.amazonaws.com' }
    const e = apiCall({
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      userIdentity: id,
      sourceIPAddress: 'cloudformation.amazonaws.com',
      requestParameters: { bucketName: 'x' },
    })
    expect(pairs(e)).toEqual(['s3:CreateBucket arn:aws:s3:::x'])
  })
})

describe('rule tables', () => {
  it('every action in the rename table exists in the Service Authorization Reference', async () => {
    const missing: string[] = []
    for (const [key, rule] of Object.entries(RENAMES)) {
      for (const { action } of rule.actions) {
        const [p, a] = action.split(':') as [string, string]
        if (!(await catalog.ensureService(p)) || !catalog.action(p, a)) missing.push(`${key} → ${action}`)
      }
    }
    expect(missing).toEqual([])
  })
  it('tables are sorted, so additions stay reviewable', () => {
    const keys = Object.keys(RENAMES)
    expect(keys).toEqual([...keys].sort())
  })
})

describe('resources named in the request', () => {
  const call = (
    eventSource: string,
    eventName: string,
    requestParameters: Record<string, unknown>,
    responseElements: Record<string, unknown> | null = null,
  ) => pairs(apiCall({ eventSource, eventName, requestParameters, responseElements }))
  const alb = `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/web/8f3e2d1c0b9a7f6e`
  it('ELB v2 load balancers by their ARN, though the reference keeps v1 resource types for shared names', () => {
    expect(
      call('elasticloadbalancing.amazonaws.com', 'DeleteLoadBalancer', { loadBalancerArn: alb }),
    ).toEqual([`elasticloadbalancing:DeleteLoadBalancer ${alb}`])
    expect(
      call(
        'elasticloadbalancing.amazonaws.com',
        'CreateLoadBalancer',
        { name: 'web', type: 'application' },
        { loadBalancers: [{ loadBalancerArn: alb }] },
      ),
    ).toEqual([`elasticloadbalancing:CreateLoadBalancer ${alb}`])
  })
  it('ECS clusters and services by name, IAM groups by name, SSM parameters by path', () => {
    expect(call('ecs.amazonaws.com', 'DescribeServices', { cluster: 'shop', services: ['api'] })).toEqual([
      `ecs:DescribeServices arn:aws:ecs:eu-west-1:${ACCOUNT}:service/shop/api`,
    ])
    expect(call('iam.amazonaws.com', 'DeleteGroup', { groupName: 'ops' })).toEqual([
      `iam:DeleteGroup arn:aws:iam::${ACCOUNT}:group/ops`,
    ])
    expect(call('ssm.amazonaws.com', 'GetParametersByPath', { path: '/app/prod/', recursive: true })).toEqual(
      [`ssm:GetParametersByPath arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/app/prod/`],
    )
  })
})
