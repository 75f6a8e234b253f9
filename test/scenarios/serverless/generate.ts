/**
 * Serverless Framework (seed 004): `serverless deploy` by a CI user: the deployment bucket stack,
 * templates validated and uploaded, a change set, CloudFormation creating the function, its role,
 * log group, version and an HTTP API; then `serverless remove`.
 */
import { ACCOUNT, iamUser, Trail } from '../kit.js'

const R = 'eu-central-1'
const user = iamUser('serverless-ci', 'AKIAXSLSCIEXAMPLE001', 'AIDAXSLSCIEXAMPLE0001')
const AGENT = 'aws-sdk-nodejs/2.1692.0 linux/v20.18.0 exec-env/GitHub_Actions callback serverless/4.4.7'
const CFN = 'cloudformation.amazonaws.com'
const STACK = 'shop-api-prod'
const STACK_ID = `arn:aws:cloudformation:${R}:${ACCOUNT}:stack/${STACK}/2c4e6f80-a1b2-11ef-9c3d-0a1b2c3d4e5f`
const BUCKET = 'shop-api-prod-serverlessdeploymentbucket-9kq2w7e4r1t0'
const ROLE = `${STACK}-${R}-lambdaRole`
const FN = `${STACK}-orders`
const FN_ARN = `arn:aws:lambda:${R}:${ACCOUNT}:function:${FN}`
const API = 'k3j5h7g9f1'
const CHANGE_SET = (n: string) =>
  `arn:aws:cloudformation:${R}:${ACCOUNT}:changeSet/serverless-deployment-${n}/7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a`
const bucket = (b: string) => [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${b}`, accountId: ACCOUNT }]

export function deploy(): Trail {
  const t = new Trail('serverless-deploy', user, R, '2026-11-20T08:00:00Z', AGENT)
  t.call(CFN, 'DescribeStacks', { stackName: STACK }, null, {
    errorCode: 'ValidationError',
    errorMessage: `Stack with id ${STACK} does not exist`,
  })
  t.call(
    CFN,
    'CreateStack',
    { stackName: STACK, templateBody: '…', tags: [{ key: 'STAGE', value: 'prod' }] },
    { stackId: STACK_ID },
  )
  t.call(
    's3.amazonaws.com',
    'CreateBucket',
    {
      bucketName: BUCKET,
      Host: `${BUCKET}.s3.${R}.amazonaws.com`,
      CreateBucketConfiguration: { LocationConstraint: R },
    },
    null,
    { via: CFN, resources: bucket(BUCKET) },
  )
  t.call('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: BUCKET, policy: '' }, null, {
    via: CFN,
    resources: bucket(BUCKET),
  })
  t.call('s3.amazonaws.com', 'PutBucketEncryption', { bucketName: BUCKET }, null, {
    via: CFN,
    resources: bucket(BUCKET),
  })
  t.call(CFN, 'DescribeStackEvents', { stackName: STACK_ID }, null, { after: 10 })
  t.call(CFN, 'DescribeStackResource', {
    stackName: STACK_ID,
    logicalResourceId: 'ServerlessDeploymentBucket',
  })
  t.call(
    's3.amazonaws.com',
    'ListObjectsV2',
    { bucketName: BUCKET, prefix: `serverless/shop-api/prod`, Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { resources: bucket(BUCKET) },
  )
  t.call(CFN, 'ValidateTemplate', {
    templateURL: `https://${BUCKET}.s3.${R}.amazonaws.com/serverless/shop-api/prod/1732089600000-2026-11-20T08:00:00.000Z/compiled-cloudformation-template.json`,
  })
  t.call(
    CFN,
    'CreateChangeSet',
    {
      stackName: STACK,
      changeSetName: 'serverless-deployment-1732089612',
      changeSetType: 'UPDATE',
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    },
    { id: CHANGE_SET('1732089612'), stackId: STACK_ID },
  )
  t.call(CFN, 'DescribeChangeSet', { changeSetName: CHANGE_SET('1732089612'), stackName: STACK_ID }, null, {
    after: 5,
  })
  t.call(CFN, 'ExecuteChangeSet', { changeSetName: CHANGE_SET('1732089612'), stackName: STACK_ID })
  t.call('logs.amazonaws.com', 'CreateLogGroup', { logGroupName: `/aws/lambda/${FN}` }, null, { via: CFN })
  t.call(
    'iam.amazonaws.com',
    'CreateRole',
    { roleName: ROLE, path: '/', assumeRolePolicyDocument: '{}' },
    { role: { roleName: ROLE, arn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` } },
    { via: CFN, region: 'us-east-1' },
  )
  t.call(
    'iam.amazonaws.com',
    'PutRolePolicy',
    { roleName: ROLE, policyName: `${STACK}-lambda`, policyDocument: '{}' },
    null,
    { via: CFN, region: 'us-east-1' },
  )
  t.call('iam.amazonaws.com', 'GetRole', { roleName: ROLE }, null, { via: CFN, region: 'us-east-1' })
  t.call(
    'lambda.amazonaws.com',
    'CreateFunction20150331',
    {
      functionName: FN,
      runtime: 'nodejs20.x',
      role: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`,
      handler: 'src/orders.handler',
      code: {
        s3Bucket: BUCKET,
        s3Key: 'serverless/shop-api/prod/1732089600000-2026-11-20T08:00:00.000Z/shop-api.zip',
      },
    },
    { functionName: FN, functionArn: FN_ARN },
    { via: CFN },
  )
  t.call('lambda.amazonaws.com', 'GetFunction20150331v2', { functionName: FN }, null, { via: CFN })
  t.call(
    'lambda.amazonaws.com',
    'PublishVersion20150331',
    { functionName: FN, codeSha256: 'q5x0…' },
    { functionArn: `${FN_ARN}:14`, version: '14' },
    { via: CFN },
  )
  t.call(
    'apigateway.amazonaws.com',
    'CreateApi',
    { name: `prod-shop-api`, protocolType: 'HTTP' },
    { apiId: API },
    { via: CFN },
  )
  t.call(
    'apigateway.amazonaws.com',
    'CreateStage',
    { apiId: API, stageName: '$default', autoDeploy: true },
    null,
    { via: CFN },
  )
  t.call(
    'apigateway.amazonaws.com',
    'CreateIntegration',
    { apiId: API, integrationType: 'AWS_PROXY', integrationUri: FN_ARN, payloadFormatVersion: '2.0' },
    { integrationId: 'a1b2c3d' },
    { via: CFN },
  )
  t.call(
    'apigateway.amazonaws.com',
    'CreateRoute',
    { apiId: API, routeKey: 'POST /orders', target: 'integrations/a1b2c3d' },
    { routeId: 'r9s8t7u' },
    { via: CFN },
  )
  t.call(
    'lambda.amazonaws.com',
    'AddPermission20150331v2',
    {
      functionName: FN,
      statementId: 'shop-api-prod-OrdersLambdaPermissionHttpApi-5R6T7Y8U9I0O',
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:aws:execute-api:${R}:${ACCOUNT}:${API}/*`,
    },
    null,
    { via: CFN },
  )
  t.call(CFN, 'DescribeStackEvents', { stackName: STACK_ID }, null, { after: 30 })
  t.call(CFN, 'DescribeStacks', { stackName: STACK_ID })
  t.call(CFN, 'ListStackResources', { stackName: STACK_ID })
  return t
}

export function teardown(): Trail {
  const t = new Trail('serverless-teardown', user, R, '2026-11-22T18:00:00Z', AGENT)
  t.call(CFN, 'DescribeStacks', { stackName: STACK })
  t.call(
    's3.amazonaws.com',
    'ListObjectsV2',
    { bucketName: BUCKET, Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { resources: bucket(BUCKET) },
  )
  t.call(
    's3.amazonaws.com',
    'DeleteObjects',
    { bucketName: BUCKET, delete: '', Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { resources: bucket(BUCKET) },
  )
  t.call(CFN, 'DeleteStack', { stackName: STACK })
  t.call('apigateway.amazonaws.com', 'DeleteApi', { apiId: API }, null, { via: CFN })
  t.call('lambda.amazonaws.com', 'DeleteFunction20150331', { functionName: FN }, null, { via: CFN })
  t.call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: `/aws/lambda/${FN}` }, null, { via: CFN })
  t.call('iam.amazonaws.com', 'DeleteRolePolicy', { roleName: ROLE, policyName: `${STACK}-lambda` }, null, {
    via: CFN,
    region: 'us-east-1',
  })
  t.call('iam.amazonaws.com', 'DeleteRole', { roleName: ROLE }, null, { via: CFN, region: 'us-east-1' })
  t.call(
    's3.amazonaws.com',
    'DeleteBucket',
    { bucketName: BUCKET, Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { via: CFN, resources: bucket(BUCKET) },
  )
  t.call(CFN, 'DescribeStacks', { stackName: STACK_ID }, null, { after: 40 })
  return t
}

export const PRINCIPAL = user.arn!
