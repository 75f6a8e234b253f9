/**
 * OpsWorks-style app (seed 002): a deploy pipeline user creates the instance profile the seed
 * describes (a role trusted by ec2.amazonaws.com, a policy for the app's bucket, the profile),
 * launches the app instance with it (RunInstances passes the role: iam:PassRole to ec2) and tags;
 * the teardown terminates the instance and removes the profile and role.
 */
import { ACCOUNT, iamUser, Trail } from '../kit.js'

const R = 'eu-west-1'
const user = iamUser('opsworks-deployer', 'AKIAXOPSDEPLOYEXAMP1', 'AIDAXOPSDEPLOYEXAMP01')
const AGENT =
  'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.run-instances'
const ROLE = 'OpsWorksEC2Role-inventory'
const PROFILE = 'inventory-app-profile'
const INSTANCE = 'i-0a7b3c9d1e5f24680'
const AMI = 'ami-0d64bb532e0502c46'

export function deploy(): Trail {
  const t = new Trail('opsworks-deploy', user, R, '2026-11-20T16:00:00Z', AGENT)
  t.call(
    'iam.amazonaws.com',
    'CreateRole',
    {
      roleName: ROLE,
      path: '/',
      assumeRolePolicyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    },
    { role: { roleName: ROLE, arn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` } },
    { region: 'us-east-1' },
  )
  t.call(
    'iam.amazonaws.com',
    'PutRolePolicy',
    {
      roleName: ROLE,
      policyName: 'inventory-assets',
      policyDocument:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::inventory-assets-prod/*"}]}',
    },
    null,
    { region: 'us-east-1' },
  )
  t.call(
    'iam.amazonaws.com',
    'CreateInstanceProfile',
    { instanceProfileName: PROFILE, path: '/' },
    {
      instanceProfile: {
        instanceProfileName: PROFILE,
        arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${PROFILE}`,
      },
    },
    { region: 'us-east-1' },
  )
  t.call(
    'iam.amazonaws.com',
    'AddRoleToInstanceProfile',
    { instanceProfileName: PROFILE, roleName: ROLE },
    null,
    { region: 'us-east-1' },
  )
  t.call('ec2.amazonaws.com', 'DescribeImages', { imagesSet: { items: [{ imageId: AMI }] } })
  t.call('ec2.amazonaws.com', 'DescribeSubnets', {
    subnetSet: { items: [{ subnetId: 'subnet-0b1c2d3e4f5a6b7c8' }] },
  })
  t.call(
    'ec2.amazonaws.com',
    'RunInstances',
    {
      instancesSet: { items: [{ imageId: AMI, minCount: 1, maxCount: 1 }] },
      instanceType: 't3.small',
      subnetId: 'subnet-0b1c2d3e4f5a6b7c8',
      iamInstanceProfile: { name: PROFILE },
      tagSpecificationSet: {
        items: [
          {
            resourceType: 'instance',
            tags: [
              { key: 'opsworks:stack', value: 'inventory' },
              { key: 'Name', value: 'inventory-app1' },
            ],
          },
        ],
      },
    },
    {
      instancesSet: {
        items: [{ instanceId: INSTANCE, imageId: AMI, instanceState: { code: 0, name: 'pending' } }],
      },
      ownerId: ACCOUNT,
    },
    { after: 8 },
  )
  t.call(
    'ec2.amazonaws.com',
    'DescribeInstances',
    { instancesSet: { items: [{ instanceId: INSTANCE }] }, filterSet: {} },
    null,
    { after: 20 },
  )
  return t
}

export function teardown(): Trail {
  const t = new Trail('opsworks-teardown', user, R, '2026-11-21T11:00:00Z', AGENT)
  t.call('ec2.amazonaws.com', 'DescribeInstances', {
    instancesSet: {},
    filterSet: { items: [{ name: 'tag:opsworks:stack', valueSet: { items: [{ value: 'inventory' }] } }] },
  })
  t.call(
    'ec2.amazonaws.com',
    'TerminateInstances',
    { instancesSet: { items: [{ instanceId: INSTANCE }] } },
    {
      instancesSet: { items: [{ instanceId: INSTANCE, currentState: { code: 32, name: 'shutting-down' } }] },
    },
  )
  t.call(
    'iam.amazonaws.com',
    'RemoveRoleFromInstanceProfile',
    { instanceProfileName: PROFILE, roleName: ROLE },
    null,
    { region: 'us-east-1', after: 60 },
  )
  t.call('iam.amazonaws.com', 'DeleteInstanceProfile', { instanceProfileName: PROFILE }, null, {
    region: 'us-east-1',
  })
  t.call('iam.amazonaws.com', 'DeleteRolePolicy', { roleName: ROLE, policyName: 'inventory-assets' }, null, {
    region: 'us-east-1',
  })
  t.call('iam.amazonaws.com', 'DeleteRole', { roleName: ROLE }, null, { region: 'us-east-1' })
  return t
}

export const PRINCIPAL = user.arn!
