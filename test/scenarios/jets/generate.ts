/**
 * Jets (seed 001): `jets deploy` by the IAM user `tung` of group Jets: the parent stack through
 * CloudFormation (no service role, so CloudFormation's calls carry tung's identity with invokedBy),
 * code uploaded to the stack's bucket, a function role, functions, a job rule, API Gateway; the
 * prewarm invoke; then `jets delete`. MY_PREFIX is `demo` (stack demo-dev).
 */
import { ACCOUNT, iamUser, Trail } from '../kit.js'

const R = 'us-west-2'
const user = iamUser('tung', 'AKIAXJETSTUNGEXAMPL1', 'AIDAXJETSTUNGEXAMPL01')
const AGENT =
  'aws-sdk-ruby3/3.201.0 ua/2.1 api/cloudformation#1.110.0 os/linux md/x86_64 lang/ruby#3.3.4 md/3.3.4 m/A,D jets/5.0.13'
const CFN = 'cloudformation.amazonaws.com'
const STACK = 'demo-dev'
const STACK_ID = `arn:aws:cloudformation:${R}:${ACCOUNT}:stack/${STACK}/8a3c1f20-c6a2-11ef-8f1e-02d1c4a5b6e7`
const BUCKET = 'demo-dev-s3bucket-1a2b3c4d5e6f'
const ROLE = 'demo-dev-IamRole-1Q2W3E4R5T6Y'
const FNS = ['demo-dev-controller', 'demo-dev-hard_job-dig']
const RULE = 'demo-dev-hard-job-dig-1H2J3K4L5M6N'
const API = 'x7k2m9p4q1'
const bucket = (b: string) => [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${b}`, accountId: ACCOUNT }]

export function deploy(): Trail {
  const t = new Trail('jets-deploy', user, R, '2026-11-20T10:00:00Z', AGENT)
  t.call(CFN, 'DescribeStacks', { stackName: STACK }, null, {
    errorCode: 'ValidationError',
    errorMessage: `Stack with id ${STACK} does not exist`,
  })
  t.call(
    CFN,
    'CreateStack',
    { stackName: STACK, templateBody: '…', capabilities: ['CAPABILITY_IAM'] },
    { stackId: STACK_ID },
  )
  t.call(
    's3.amazonaws.com',
    'CreateBucket',
    { bucketName: BUCKET, Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { via: CFN, resources: bucket(BUCKET) },
  )
  t.call(CFN, 'DescribeStackEvents', { stackName: STACK_ID }, null, { after: 15 })
  t.call(
    's3.amazonaws.com',
    'PutBucketEncryption',
    {
      bucketName: BUCKET,
      ServerSideEncryptionConfiguration: {
        Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      },
    },
    null,
    { via: CFN, resources: bucket(BUCKET) },
  )
  t.call(CFN, 'DescribeStacks', { stackName: STACK }, null, { after: 20 })
  t.call(
    CFN,
    'UpdateStack',
    {
      stackName: STACK,
      templateURL: `https://${BUCKET}.s3.amazonaws.com/jets/cfn-templates/dev/parent.yml`,
      capabilities: ['CAPABILITY_IAM'],
    },
    { stackId: STACK_ID },
    { after: 25 },
  )
  t.call(
    'iam.amazonaws.com',
    'CreateRole',
    {
      roleName: ROLE,
      path: '/',
      assumeRolePolicyDocument:
        '{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    },
    { role: { roleName: ROLE, arn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` } },
    { via: CFN, region: 'us-east-1' },
  )
  t.call(
    'iam.amazonaws.com',
    'PutRolePolicy',
    { roleName: ROLE, policyName: 'IamPolicy', policyDocument: '{}' },
    null,
    { via: CFN, region: 'us-east-1' },
  )
  t.call('iam.amazonaws.com', 'GetRole', { roleName: ROLE }, null, { via: CFN, region: 'us-east-1' })
  for (const fn of FNS) {
    t.call(
      'lambda.amazonaws.com',
      'CreateFunction20150331',
      {
        functionName: fn,
        runtime: 'ruby3.3',
        role: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`,
        handler: 'handlers/controller.lambda_handler',
        code: { s3Bucket: BUCKET, s3Key: 'jets/code/code-2e5f7a9c.zip' },
      },
      { functionName: fn, functionArn: `arn:aws:lambda:${R}:${ACCOUNT}:function:${fn}` },
      { via: CFN },
    )
    t.call('lambda.amazonaws.com', 'GetFunction20150331v2', { functionName: fn }, null, { via: CFN })
  }
  t.call('logs.amazonaws.com', 'CreateLogGroup', { logGroupName: `/aws/lambda/${FNS[0]}` }, null, {
    via: CFN,
  })
  t.call(
    'events.amazonaws.com',
    'PutRule',
    { name: RULE, scheduleExpression: 'rate(10 hours)', state: 'ENABLED' },
    { ruleArn: `arn:aws:events:${R}:${ACCOUNT}:rule/${RULE}` },
    { via: CFN },
  )
  t.call(
    'events.amazonaws.com',
    'PutTargets',
    { rule: RULE, targets: [{ id: 'HardJobDig', arn: `arn:aws:lambda:${R}:${ACCOUNT}:function:${FNS[1]}` }] },
    null,
    { via: CFN },
  )
  t.call(
    'lambda.amazonaws.com',
    'AddPermission20150331v2',
    {
      functionName: FNS[1],
      statementId: 'demo-dev-HardJobDigPermission-9Z8Y7X6W5V4U',
      action: 'lambda:InvokeFunction',
      principal: 'events.amazonaws.com',
      sourceArn: `arn:aws:events:${R}:${ACCOUNT}:rule/${RULE}`,
    },
    null,
    { via: CFN },
  )
  t.call(
    'apigateway.amazonaws.com',
    'CreateRestApi',
    { name: 'demo-dev', endpointConfiguration: { types: ['EDGE'] } },
    { id: API, name: 'demo-dev' },
    { via: CFN },
  )
  t.call(
    'apigateway.amazonaws.com',
    'CreateDeployment',
    { restApiId: API, stageName: 'dev' },
    { id: 'q8w7e6' },
    { via: CFN },
  )
  t.call(
    'lambda.amazonaws.com',
    'AddPermission20150331v2',
    {
      functionName: FNS[0],
      statementId: 'demo-dev-ApiGatewayPermission-2B3C4D5E6F7G',
      action: 'lambda:InvokeFunction',
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:aws:execute-api:${R}:${ACCOUNT}:${API}/*/*/*`,
    },
    null,
    { via: CFN },
  )
  t.call(CFN, 'DescribeStackResources', { stackName: STACK }, null, { after: 30 })
  t.call(CFN, 'DescribeStacks', { stackName: STACK })
  return t
}

export function teardown(): Trail {
  const t = new Trail('jets-teardown', user, R, '2026-11-21T16:00:00Z', AGENT)
  t.call(CFN, 'DescribeStacks', { stackName: STACK })
  t.call(
    's3.amazonaws.com',
    'ListObjects',
    { bucketName: BUCKET, Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { resources: bucket(BUCKET) },
  )
  t.call(CFN, 'DeleteStack', { stackName: STACK })
  for (const fn of FNS)
    t.call('lambda.amazonaws.com', 'DeleteFunction20150331', { functionName: fn }, null, { via: CFN })
  t.call(
    'lambda.amazonaws.com',
    'RemovePermission20150331v2',
    { functionName: FNS[1], statementId: 'demo-dev-HardJobDigPermission-9Z8Y7X6W5V4U' },
    null,
    { via: CFN },
  )
  t.call('events.amazonaws.com', 'RemoveTargets', { rule: RULE, ids: ['HardJobDig'] }, null, { via: CFN })
  t.call('events.amazonaws.com', 'DeleteRule', { name: RULE }, null, { via: CFN })
  t.call('apigateway.amazonaws.com', 'DeleteRestApi', { restApiId: API }, null, { via: CFN })
  t.call('iam.amazonaws.com', 'DeleteRolePolicy', { roleName: ROLE, policyName: 'IamPolicy' }, null, {
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
  t.call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: `/aws/lambda/${FNS[0]}` })
  return t
}

export const PRINCIPAL = user.arn!
