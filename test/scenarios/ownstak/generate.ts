/**
 * Ownstak (seed 000): an IAM user `OwnstakCloudCredentialsUser` calls the APIs of its permission
 * table directly (no CloudFormation): a cloud backend with an ALB, an ECS service for the Lambda
 * proxy, buckets, log groups and the app's Lambda function with a `deployment-123` alias; then the
 * teardown removes it.
 */
import { ACCOUNT, iamUser, Trail } from '../kit.js'

const R = 'us-east-1'
const user = iamUser('OwnstakCloudCredentialsUser', 'AKIAXOWNSTAKEXAMPLE1', 'AIDAXOWNSTAKEXAMPLE01')
const AGENT =
  'aws-sdk-js/3.687.0 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.11.0 api/lambda#3.687.0 m/E,N ownstak-cli/1.4.2'
const ORG = 'acme'
const BACKEND = 'ownstak-acme-prod'
const VPC = 'vpc-0a1b2c3d4e5f60718'
const SUBNETS = ['subnet-0f1e2d3c4b5a69788', 'subnet-09a8b7c6d5e4f3a21']
const ALB_SG = 'sg-0c1d2e3f4a5b6c7d8'
const ECS_SG = 'sg-07e6d5c4b3a291807'
const CERT = `arn:aws:acm:${R}:${ACCOUNT}:certificate/5e2d7c1a-9b34-4f8e-a6d1-3c0b9e8f7a21`
const ALB = `arn:aws:elasticloadbalancing:${R}:${ACCOUNT}:loadbalancer/app/${BACKEND}-alb/8f3e2d1c0b9a7f6e`
const TG = `arn:aws:elasticloadbalancing:${R}:${ACCOUNT}:targetgroup/${BACKEND}-proxy/4a5b6c7d8e9f0a1b`
const LISTENER = (p: number) =>
  `arn:aws:elasticloadbalancing:${R}:${ACCOUNT}:listener/app/${BACKEND}-alb/8f3e2d1c0b9a7f6e/${p === 443 ? '1c2d3e4f5a6b7c8d' : '9e8d7c6b5a4f3e2d'}`
const CLUSTER = `arn:aws:ecs:${R}:${ACCOUNT}:cluster/${BACKEND}`
const SERVICE = `arn:aws:ecs:${R}:${ACCOUNT}:service/${BACKEND}/${BACKEND}-proxy`
const TASKDEF = `arn:aws:ecs:${R}:${ACCOUNT}:task-definition/${BACKEND}-proxy:7`
const ROLE = (n: string) => `arn:aws:iam::${ACCOUNT}:role/${n}`
const FN = 'ownstak-acme-storefront-prod'
const FN_ARN = `arn:aws:lambda:${R}:${ACCOUNT}:function:${FN}`
const BUCKETS = [
  'ownstak-acme-prod-assets-7f3a9c',
  'ownstak-acme-prod-compute-7f3a9c',
  'ownstak-acme-prod-permanent-assets-7f3a9c',
]

export function deploy(): Trail {
  const t = new Trail('ownstak-deploy', user, R, '2026-11-20T14:00:00Z', AGENT)
  t.call('acm.amazonaws.com', 'ListCertificates', { certificateStatuses: ['ISSUED', 'PENDING_VALIDATION'] })
  t.call(
    'acm.amazonaws.com',
    'RequestCertificate',
    { domainName: `*.prod.${ORG}.ownstak.link`, validationMethod: 'DNS', idempotencyToken: 'ownstakprod' },
    { certificateArn: CERT },
  )
  t.call('acm.amazonaws.com', 'AddTagsToCertificate', {
    certificateArn: CERT,
    tags: [{ key: 'ownstak:backend', value: BACKEND }],
  })
  t.call('acm.amazonaws.com', 'DescribeCertificate', { certificateArn: CERT }, null, { after: 20 })
  t.call('ec2.amazonaws.com', 'DescribeAccountAttributes', {
    attributeNameSet: { items: [{ attributeName: 'supported-platforms' }] },
  })
  t.call('ec2.amazonaws.com', 'DescribeVpcs', {
    vpcSet: {},
    filterSet: { items: [{ name: 'isDefault', valueSet: { items: [{ value: 'true' }] } }] },
  })
  t.call('ec2.amazonaws.com', 'DescribeSubnets', {
    subnetSet: {},
    filterSet: { items: [{ name: 'vpc-id', valueSet: { items: [{ value: VPC }] } }] },
  })
  t.call('ec2.amazonaws.com', 'DescribeSecurityGroups', {
    securityGroupSet: {},
    filterSet: { items: [{ name: 'group-name', valueSet: { items: [{ value: `${BACKEND}-alb` }] } }] },
  })
  for (const [name, id] of [
    [`${BACKEND}-alb`, ALB_SG],
    [`${BACKEND}-ecs`, ECS_SG],
  ] as const) {
    t.call(
      'ec2.amazonaws.com',
      'CreateSecurityGroup',
      {
        groupName: name,
        groupDescription: `Ownstak ${name}`,
        vpcId: VPC,
        tagSpecificationSet: {
          items: [{ resourceType: 'security-group', tags: [{ key: 'ownstak:backend', value: BACKEND }] }],
        },
      },
      { _return: true, groupId: id, securityGroupArn: `arn:aws:ec2:${R}:${ACCOUNT}:security-group/${id}` },
    )
    t.call(
      'ec2.amazonaws.com',
      'AuthorizeSecurityGroupIngress',
      {
        groupId: id,
        ipPermissions: {
          items: [
            { ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
          ],
        },
      },
      { _return: true },
    )
  }
  t.call('iam.amazonaws.com', 'GetRole', { roleName: 'AWSServiceRoleForElasticLoadBalancing' }, null, {
    region: 'us-east-1',
  })
  t.call('elasticloadbalancing.amazonaws.com', 'DescribeLoadBalancers', { names: [`${BACKEND}-alb`] }, null, {
    errorCode: 'LoadBalancerNotFound',
    errorMessage: `Load balancers '[${BACKEND}-alb]' not found`,
  })
  t.call(
    'elasticloadbalancing.amazonaws.com',
    'CreateLoadBalancer',
    {
      name: `${BACKEND}-alb`,
      subnets: SUBNETS,
      securityGroups: [ALB_SG],
      scheme: 'internet-facing',
      type: 'application',
      tags: [{ key: 'ownstak:backend', value: BACKEND }],
    },
    { loadBalancers: [{ loadBalancerArn: ALB }] },
  )
  t.call(
    'elasticloadbalancing.amazonaws.com',
    'DescribeTargetGroups',
    { names: [`${BACKEND}-proxy`] },
    null,
    { errorCode: 'TargetGroupNotFound', errorMessage: 'One or more target groups not found' },
  )
  t.call(
    'elasticloadbalancing.amazonaws.com',
    'CreateTargetGroup',
    {
      name: `${BACKEND}-proxy`,
      protocol: 'HTTP',
      port: 3000,
      vpcId: VPC,
      targetType: 'ip',
      tags: [{ key: 'ownstak:backend', value: BACKEND }],
    },
    { targetGroups: [{ targetGroupArn: TG }] },
  )
  t.call('elasticloadbalancing.amazonaws.com', 'ModifyTargetGroupAttributes', {
    targetGroupArn: TG,
    attributes: [{ key: 'deregistration_delay.timeout_seconds', value: '5' }],
  })
  t.call('elasticloadbalancing.amazonaws.com', 'DescribeListeners', { loadBalancerArn: ALB })
  for (const port of [80, 443])
    t.call(
      'elasticloadbalancing.amazonaws.com',
      'CreateListener',
      {
        loadBalancerArn: ALB,
        protocol: port === 443 ? 'HTTPS' : 'HTTP',
        port,
        ...(port === 443 ? { certificates: [{ certificateArn: CERT }] } : {}),
        defaultActions: [{ type: 'forward', targetGroupArn: TG }],
      },
      { listeners: [{ listenerArn: LISTENER(port) }] },
    )
  for (const b of BUCKETS) {
    t.call('s3.amazonaws.com', 'CreateBucket', { bucketName: b, Host: `${b}.s3.amazonaws.com` }, null, {
      resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${b}`, accountId: ACCOUNT }],
    })
  }
  t.call(
    's3.amazonaws.com',
    'PutBucketPublicAccessBlock',
    {
      bucketName: BUCKETS[0],
      publicAccessBlock: '',
      PublicAccessBlockConfiguration: {
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
      },
    },
    null,
    { resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKETS[0]}`, accountId: ACCOUNT }] },
  )
  t.call('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: BUCKETS[0], policy: '' }, null, {
    resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKETS[0]}`, accountId: ACCOUNT }],
  })
  t.call('logs.amazonaws.com', 'DescribeLogGroups', { logGroupNamePrefix: `/ownstak/${BACKEND}` })
  t.call('logs.amazonaws.com', 'CreateLogGroup', {
    logGroupName: `/ownstak/${BACKEND}/proxy`,
    tags: { 'ownstak:backend': BACKEND },
  })
  t.call('logs.amazonaws.com', 'PutRetentionPolicy', {
    logGroupName: `/ownstak/${BACKEND}/proxy`,
    retentionInDays: 60,
  })
  t.call('ecs.amazonaws.com', 'DescribeClusters', { clusters: [BACKEND] })
  t.call(
    'ecs.amazonaws.com',
    'CreateCluster',
    { clusterName: BACKEND, tags: [{ key: 'ownstak:backend', value: BACKEND }] },
    { cluster: { clusterArn: CLUSTER, clusterName: BACKEND } },
  )
  t.call(
    'ecs.amazonaws.com',
    'RegisterTaskDefinition',
    {
      family: `${BACKEND}-proxy`,
      executionRoleArn: ROLE('ownstak-ecs-execution-role'),
      taskRoleArn: ROLE('ownstak-ecs-task-role'),
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'proxy', image: 'public.ecr.aws/ownstak/proxy:1.4.2' }],
      tags: [{ key: 'ownstak:backend', value: BACKEND }],
    },
    { taskDefinition: { taskDefinitionArn: TASKDEF, family: `${BACKEND}-proxy`, revision: 7 } },
  )
  t.call('ecs.amazonaws.com', 'DescribeServices', { cluster: BACKEND, services: [`${BACKEND}-proxy`] })
  t.call(
    'ecs.amazonaws.com',
    'CreateService',
    {
      cluster: BACKEND,
      serviceName: `${BACKEND}-proxy`,
      taskDefinition: TASKDEF,
      desiredCount: 1,
      launchType: 'FARGATE',
      loadBalancers: [{ targetGroupArn: TG, containerName: 'proxy', containerPort: 3000 }],
      networkConfiguration: {
        awsvpcConfiguration: { subnets: SUBNETS, securityGroups: [ECS_SG], assignPublicIp: 'ENABLED' },
      },
    },
    { service: { serviceArn: SERVICE, serviceName: `${BACKEND}-proxy`, clusterArn: CLUSTER } },
  )
  t.call('lambda.amazonaws.com', 'GetFunction', { functionName: FN }, null, {
    errorCode: 'ResourceNotFoundException',
    errorMessage: `Function not found: ${FN_ARN}`,
  })
  t.call(
    'lambda.amazonaws.com',
    'CreateFunction20150331',
    {
      functionName: FN,
      runtime: 'nodejs22.x',
      role: ROLE('ownstak-lambda-execution-role'),
      handler: 'index.handler',
      code: { s3Bucket: BUCKETS[1], s3Key: 'deployments/123/function.zip' },
      memorySize: 1024,
      timeout: 30,
      tags: { 'ownstak:backend': BACKEND },
    },
    { functionName: FN, functionArn: FN_ARN, version: '$LATEST' },
  )
  t.call(
    'lambda.amazonaws.com',
    'PublishVersion20150331',
    { functionName: FN },
    { functionArn: `${FN_ARN}:1`, version: '1' },
    { after: 8 },
  )
  t.call('lambda.amazonaws.com', 'GetAlias20150331', { functionName: FN, name: 'deployment-123' }, null, {
    errorCode: 'ResourceNotFoundException',
    errorMessage: 'Alias not found',
  })
  t.call(
    'lambda.amazonaws.com',
    'CreateAlias20150331',
    { functionName: FN, name: 'deployment-123', functionVersion: '1' },
    { aliasArn: `${FN_ARN}:deployment-123`, name: 'deployment-123', functionVersion: '1' },
  )
  return t
}

export function teardown(): Trail {
  const t = new Trail('ownstak-teardown', user, R, '2026-11-21T09:30:00Z', AGENT)
  t.call('lambda.amazonaws.com', 'ListFunctions20150331', {})
  t.call('lambda.amazonaws.com', 'ListAliases20150331', { functionName: FN })
  t.call('lambda.amazonaws.com', 'DeleteAlias20150331', { functionName: FN, name: 'deployment-123' })
  t.call('ecs.amazonaws.com', 'ListServices', { cluster: BACKEND })
  t.call(
    'ecs.amazonaws.com',
    'UpdateService',
    { cluster: BACKEND, service: `${BACKEND}-proxy`, desiredCount: 0 },
    { service: { serviceArn: SERVICE } },
  )
  t.call('ecs.amazonaws.com', 'ListTasks', { cluster: BACKEND, serviceName: `${BACKEND}-proxy` })
  t.call('ecs.amazonaws.com', 'StopTask', {
    cluster: BACKEND,
    task: `arn:aws:ecs:${R}:${ACCOUNT}:task/${BACKEND}/3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c`,
  })
  t.call(
    'ecs.amazonaws.com',
    'DeleteService',
    { cluster: BACKEND, service: `${BACKEND}-proxy`, force: true },
    { service: { serviceArn: SERVICE } },
  )
  t.call('ecs.amazonaws.com', 'ListTaskDefinitions', { familyPrefix: `${BACKEND}-proxy` })
  t.call(
    'ecs.amazonaws.com',
    'DeregisterTaskDefinition',
    { taskDefinition: TASKDEF },
    { taskDefinition: { taskDefinitionArn: TASKDEF } },
  )
  t.call(
    'ecs.amazonaws.com',
    'DeleteCluster',
    { cluster: BACKEND },
    { cluster: { clusterArn: CLUSTER } },
    { after: 30 },
  )
  t.call('elasticloadbalancing.amazonaws.com', 'DeleteLoadBalancer', { loadBalancerArn: ALB })
  t.call('elasticloadbalancing.amazonaws.com', 'DeleteTargetGroup', { targetGroupArn: TG }, null, {
    after: 20,
  })
  t.call('ec2.amazonaws.com', 'DeleteSecurityGroup', { groupId: ECS_SG }, { _return: true }, { after: 30 })
  t.call('ec2.amazonaws.com', 'DeleteSecurityGroup', { groupId: ALB_SG }, { _return: true })
  t.call('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: `/ownstak/${BACKEND}/proxy` })
  for (const b of BUCKETS)
    t.call('s3.amazonaws.com', 'DeleteBucket', { bucketName: b, Host: `${b}.s3.amazonaws.com` }, null, {
      resources: [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${b}`, accountId: ACCOUNT }],
    })
  t.call('acm.amazonaws.com', 'DeleteCertificate', { certificateArn: CERT })
  return t
}

export const PRINCIPAL = user.arn!
