/**
 * SEC Provisioner (seed 003): the operator role runs `--action deploy` for config
 * edge-prod-b001-us-west-1: the template goes to the tenant bucket (an S3 data event: the trail
 * logs S3 data events for that bucket), CloudFormation creates the ML teams' groups, roles and
 * managed policies for the operator, outputs go to SSM Parameter Store; drift detection runs; then
 * `--action delete` removes it all.
 */
import { ACCOUNT, roleSession, Trail } from '../kit.js'

const R = 'us-west-1'
const op = roleSession(
  'sec-operator',
  'sec-provisioner-1732100000',
  'ASIAXSECOPEXAMPLE001',
  'AROAXSECOPEXAMPLE0001',
  '2026-11-20T12:59:30Z',
)
const AGENT =
  'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.54 sec-provisioner/medium-10'
const CFN = 'cloudformation.amazonaws.com'
const SCOPE = 'edge-prod-b001'
const STACK = `${SCOPE}-${R}-ml-sec-stack`
const STACK_ID = `arn:aws:cloudformation:${R}:${ACCOUNT}:stack/${STACK}/9b8a7c6d-e5f4-11ef-a3b2-06c1d0e9f8a7`
const BUCKET = `${SCOPE}-${R}-artifacts-4f7a2c`
const KEY = `templates/${STACK}-20261120T130000Z.yaml`
const GROUPS = [`${SCOPE}-group-datasci`, `${SCOPE}-group-mlops`]
const ROLES = [`${SCOPE}-role-training`, `${SCOPE}-role-inference`]
const POLICIES = [`${SCOPE}-policy-training`, `${SCOPE}-policy-inference`]
const PARAM = (n: string) => `/security/${SCOPE}-${R}/${n}`
const objectResources = [
  { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${BUCKET}/${KEY}` },
  { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` },
]

export function deploy(): Trail {
  const t = new Trail('sec-deploy', op, R, '2026-11-20T13:00:00Z', AGENT)
  t.call(
    's3.amazonaws.com',
    'ListObjects',
    { bucketName: BUCKET, prefix: 'templates/', Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}`, accountId: ACCOUNT }] },
  )
  const put = t.call(
    's3.amazonaws.com',
    'PutObject',
    { bucketName: BUCKET, key: KEY, Host: `${BUCKET}.s3.${R}.amazonaws.com` },
    null,
    { resources: objectResources },
  )
  const last = put.events.at(-1)!
  last.eventCategory = 'Data'
  last.managementEvent = false
  t.call(CFN, 'ValidateTemplate', { templateURL: `https://${BUCKET}.s3.${R}.amazonaws.com/${KEY}` })
  t.call(CFN, 'DescribeStacks', { stackName: STACK }, null, {
    errorCode: 'ValidationError',
    errorMessage: `Stack with id ${STACK} does not exist`,
  })
  t.call(
    CFN,
    'CreateStack',
    {
      stackName: STACK,
      templateURL: `https://${BUCKET}.s3.${R}.amazonaws.com/${KEY}`,
      capabilities: ['CAPABILITY_NAMED_IAM'],
    },
    { stackId: STACK_ID },
  )
  for (const [i, p] of POLICIES.entries())
    t.call(
      'iam.amazonaws.com',
      'CreatePolicy',
      { policyName: p, path: '/', policyDocument: '{}' },
      { policy: { policyName: p, arn: `arn:aws:iam::${ACCOUNT}:policy/${p}`, defaultVersionId: 'v1' } },
      { via: CFN, region: 'us-east-1', after: i ? 2 : 5 },
    )
  for (const g of GROUPS) {
    t.call(
      'iam.amazonaws.com',
      'CreateGroup',
      { groupName: g, path: '/' },
      { group: { groupName: g, arn: `arn:aws:iam::${ACCOUNT}:group/${g}` } },
      { via: CFN, region: 'us-east-1' },
    )
    t.call(
      'iam.amazonaws.com',
      'AttachGroupPolicy',
      { groupName: g, policyArn: `arn:aws:iam::${ACCOUNT}:policy/${POLICIES[0]}` },
      null,
      { via: CFN, region: 'us-east-1' },
    )
  }
  for (const [i, r] of ROLES.entries()) {
    t.call(
      'iam.amazonaws.com',
      'CreateRole',
      {
        roleName: r,
        path: '/',
        assumeRolePolicyDocument: '{}',
        tags: [{ key: 'sec:tenant', value: 'b001' }],
      },
      { role: { roleName: r, arn: `arn:aws:iam::${ACCOUNT}:role/${r}` } },
      { via: CFN, region: 'us-east-1' },
    )
    t.call(
      'iam.amazonaws.com',
      'AttachRolePolicy',
      { roleName: r, policyArn: `arn:aws:iam::${ACCOUNT}:policy/${POLICIES[i]}` },
      null,
      { via: CFN, region: 'us-east-1' },
    )
    t.call('iam.amazonaws.com', 'GetRole', { roleName: r }, null, { via: CFN, region: 'us-east-1' })
  }
  t.call(CFN, 'DescribeStackEvents', { stackName: STACK_ID }, null, { after: 30 })
  t.call(CFN, 'DescribeStacks', { stackName: STACK_ID })
  t.call(CFN, 'DescribeStackResources', { stackName: STACK_ID })
  // CloudTrail hides parameter values (HIDDEN_DUE_TO_SECURITY_REASONS); the names are what matter.
  for (const n of ['groups', 'roles'])
    t.call(
      'ssm.amazonaws.com',
      'PutParameter',
      { name: PARAM(n), type: 'String', overwrite: true, tags: [{ key: 'sec:tenant', value: 'b001' }] },
      { version: 1, tier: 'Standard' },
    )
  t.call(
    CFN,
    'DetectStackDrift',
    { stackName: STACK },
    { stackDriftDetectionId: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f' },
    { after: 10 },
  )
  t.call(
    CFN,
    'DescribeStackDriftDetectionStatus',
    { stackDriftDetectionId: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f' },
    null,
    { after: 5 },
  )
  t.call(CFN, 'DescribeStackResourceDrifts', { stackName: STACK })
  return t
}

export function teardown(): Trail {
  const t = new Trail('sec-teardown', op, R, '2026-11-22T09:00:00Z', AGENT)
  t.call('ssm.amazonaws.com', 'GetParametersByPath', { path: `/security/${SCOPE}-${R}/`, recursive: true })
  t.call(CFN, 'DescribeStacks', { stackName: STACK })
  t.call(CFN, 'DeleteStack', { stackName: STACK })
  for (const [i, r] of ROLES.entries()) {
    t.call(
      'iam.amazonaws.com',
      'DetachRolePolicy',
      { roleName: r, policyArn: `arn:aws:iam::${ACCOUNT}:policy/${POLICIES[i]}` },
      null,
      { via: CFN, region: 'us-east-1' },
    )
    t.call('iam.amazonaws.com', 'DeleteRole', { roleName: r }, null, { via: CFN, region: 'us-east-1' })
  }
  for (const g of GROUPS) {
    t.call(
      'iam.amazonaws.com',
      'DetachGroupPolicy',
      { groupName: g, policyArn: `arn:aws:iam::${ACCOUNT}:policy/${POLICIES[0]}` },
      null,
      { via: CFN, region: 'us-east-1' },
    )
    t.call('iam.amazonaws.com', 'DeleteGroup', { groupName: g }, null, { via: CFN, region: 'us-east-1' })
  }
  for (const p of POLICIES)
    t.call('iam.amazonaws.com', 'DeletePolicy', { policyArn: `arn:aws:iam::${ACCOUNT}:policy/${p}` }, null, {
      via: CFN,
      region: 'us-east-1',
    })
  t.call(CFN, 'DescribeStacks', { stackName: STACK_ID }, null, { after: 30 })
  for (const n of ['groups', 'roles']) t.call('ssm.amazonaws.com', 'DeleteParameter', { name: PARAM(n) })
  return t
}

export const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/sec-operator`
