import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import type { PolicyDocument } from '../../src/policy/document.js'
import { ACCOUNT, apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'
import { renderCdkCaseStudy } from './cdk-case-study.js'
import { DEPLOY_ROLE, DEV_ARN, deploy, EXEC_ROLE, writeCdkRecording } from './cdk-deploy.js'

/**
 * A deploy's identities, each with its own policy: the CDK chain (developer → bootstrap roles →
 * execution role via roleARN), a CloudFormation service role (Serverless deploymentRole, --role-arn),
 * Terraform's assume_role, from recordings and from raw CloudTrail files with --follow.
 */
type Keyed = Record<string, PolicyDocument>
const actions = (doc: PolicyDocument | undefined) =>
  (doc?.Statement ?? []).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action as string]))

let dir: string
let cdkRec: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-follow-'))
  cdkRec = join(dir, 'cdk.rec')
  await writeCdkRecording(cdkRec, deploy())
})

const ndjson = async (name: string, events: CloudTrailEvent[]) => {
  const path = join(dir, name)
  await writeFile(path, events.map((e) => JSON.stringify(e)).join('\n'))
  return path
}

describe('a CDK deploy recorded by iamtrail record', () => {
  it('gives one policy per identity: the execution role does the resource work, the deploy role the stack calls and the PassRole', async () => {
    const r = await runCli(['policy', cdkRec, '--verify'])
    expect(r.code, r.stderr).toBe(0)
    const keyed = JSON.parse(r.stdout) as Keyed
    expect(Object.keys(keyed).sort()).toEqual(
      [
        DEV_ARN,
        DEPLOY_ROLE,
        EXEC_ROLE,
        DEPLOY_ROLE.replace('deploy-role', 'file-publishing-role'),
        DEPLOY_ROLE.replace('deploy-role', 'lookup-role'),
      ].sort(),
    )
    const exec = actions(keyed[EXEC_ROLE])
    expect(exec).toEqual(
      expect.arrayContaining(['lambda:CreateFunction', 'iam:CreateRole', 'dynamodb:CreateTable']),
    )
    expect(exec.some((a) => a.startsWith('cloudformation:'))).toBe(false)
    const dep = keyed[DEPLOY_ROLE]!
    expect(actions(dep)).toEqual(expect.arrayContaining(['cloudformation:CreateChangeSet', 'iam:PassRole']))
    expect(actions(dep).some((a) => a.startsWith('lambda:') || a.startsWith('dynamodb:'))).toBe(false)
    const pass = dep.Statement.find((s) => actions({ ...dep, Statement: [s] }).includes('iam:PassRole'))!
    expect(pass.Resource).toEqual([EXEC_ROLE])
    expect(pass.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    })
    expect(actions(keyed[DEV_ARN])).toEqual(['sts:AssumeRole'])
    expect(r.stderr).toContain('5 identities, one policy each')
    expect(r.stderr).toContain(
      `cdk bootstrap aws://${ACCOUNT}/eu-west-1 --cloudformation-execution-policies arn:aws:iam::${ACCOUNT}:policy/iamtrail-deployer-cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`,
    )
    expect(r.stderr).toMatch(
      /verify: arn:aws:iam::\d+:role\/cdk-hnb659fds-cfn-exec-role-\S+: all \d+ recorded grants are allowed/,
    )
  })

  it('CloudFormation: one managed policy per identity, the graph in Metadata; Terraform: one aws_iam_policy each', async () => {
    const cfn = await runCli(['policy', cdkRec, '--format', 'cloudformation', '-q'])
    expect(cfn.code, cfn.stderr).toBe(0)
    const t = parse(cfn.stdout) as {
      Resources: Record<string, { Type: string; Properties: { Description: string } }>
      Metadata: {
        iamtrail: { identities: { members: { identity: string }[]; edges: { how: string; to: string }[] } }
      }
    }
    const policies = Object.values(t.Resources).filter((x) => x.Type === 'AWS::IAM::ManagedPolicy')
    expect(policies).toHaveLength(5)
    expect(policies.some((p) => p.Properties.Description.includes(EXEC_ROLE))).toBe(true)
    // The name the `cdk bootstrap` line names: the policy must be created under it.
    expect(policies.map((p) => (p.Properties as { ManagedPolicyName?: string }).ManagedPolicyName)).toContain(
      `iamtrail-deployer-cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`,
    )
    expect(t.Metadata.iamtrail.identities.edges).toContainEqual(
      expect.objectContaining({ how: 'passed', to: EXEC_ROLE }),
    )
    const tf = await runCli(['policy', cdkRec, '--format', 'terraform', '-q'])
    expect(tf.stdout.match(/^resource "aws_iam_policy"/gm)).toHaveLength(5)
    expect(tf.stdout).toContain(`# ${EXEC_ROLE}: CloudFormation service role passed by ${DEPLOY_ROLE}`)
    const md = await runCli(['policy', cdkRec, '--format', 'markdown', '-q'])
    expect(md.stdout.match(/^## Least-privilege policy for /gm)).toHaveLength(5)
    expect(md.stdout).toContain('## Next steps')
  })

  it('--no-follow refuses to merge the identities; --principal picks one as before', async () => {
    const merged = await runCli(['policy', cdkRec, '--no-follow', '-q'])
    expect(merged.code).toBe(1)
    expect(merged.stderr).toContain('principals')
    const one = await runCli(['policy', cdkRec, '--principal', EXEC_ROLE, '-q'])
    expect(one.code, one.stderr).toBe(0)
    expect(actions(JSON.parse(one.stdout) as PolicyDocument)).toContain('lambda:CreateFunction')
  })
})

describe('--follow over raw CloudTrail files', () => {
  it('follows the CDK chain from the developer, and leaves out another session of the same role', async () => {
    const stranger = apiCall({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'TerminateInstances',
      userIdentity: roleSessionIdentity(
        DEPLOY_ROLE.split('/').pop()!,
        'someone-else',
        'ASIASTRANGERSESSION1',
      ),
      eventTime: '2026-11-20T10:01:30Z',
      requestParameters: { instancesSet: { items: [{ instanceId: 'i-0123456789abcdef0' }] } },
    })
    const file = await ndjson('cdk.ndjson', [...deploy(), stranger])
    const r = await runCli(['policy', file, '--principal', DEV_ARN, '--follow', '-q'])
    expect(r.code, r.stderr).toBe(0)
    const keyed = JSON.parse(r.stdout) as Keyed
    expect(Object.keys(keyed)).toHaveLength(5)
    expect(actions(keyed[DEPLOY_ROLE])).not.toContain('ec2:TerminateInstances')
  })

  it('a Serverless deploymentRole: the deployer keeps the stack calls and PassRole, the service role gets the resources', async () => {
    const ci = userIdentity('serverless-ci', 'AKIASLSCIEXAMPLE0001')
    const serviceRole = `arn:aws:iam::${ACCOUNT}:role/sls-deployment-role`
    const cfnSession = {
      ...roleSessionIdentity('sls-deployment-role', 'AWSCloudFormation', 'ASIASLSCFNSESSION001'),
      invokedBy: 'cloudformation.amazonaws.com',
    }
    const agent = 'aws-sdk-nodejs/2.1692.0 linux/v20.18.0 serverless/4.4.7'
    const events = [
      apiCall({
        userIdentity: ci,
        userAgent: agent,
        eventSource: 'cloudformation.amazonaws.com',
        eventName: 'CreateStack',
        eventTime: '2026-11-20T10:00:00Z',
        requestParameters: {
          stackName: 'shop-api-prod',
          roleARN: serviceRole,
          templateURL: 'https://s3.amazonaws.com/b/t.json',
        },
        responseElements: {
          stackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/shop-api-prod/2c4e6f80-a1b2-11ef-9c3d-0a1b2c3d4e5f`,
        },
      }),
      apiCall({
        userIdentity: cfnSession,
        userAgent: 'cloudformation.amazonaws.com',
        sourceIPAddress: 'cloudformation.amazonaws.com',
        eventSource: 'logs.amazonaws.com',
        eventName: 'CreateLogGroup',
        eventTime: '2026-11-20T10:00:20Z',
        requestParameters: { logGroupName: '/aws/lambda/shop-api-prod-orders' },
      }),
      // The same role, not as CloudFormation: someone else's use of it, not this deploy's.
      apiCall({
        userIdentity: roleSessionIdentity('sls-deployment-role', 'manual', 'ASIASLSMANUALSESS001'),
        eventSource: 's3.amazonaws.com',
        eventName: 'DeleteBucket',
        eventTime: '2026-11-20T10:00:30Z',
        requestParameters: { bucketName: 'other' },
      }),
    ]
    const file = await ndjson('sls.ndjson', events)
    const r = await runCli(['policy', file, '--principal', ci.arn!, '--follow'])
    expect(r.code, r.stderr).toBe(0)
    const keyed = JSON.parse(r.stdout) as Keyed
    expect(actions(keyed[ci.arn!])).toEqual(
      expect.arrayContaining(['cloudformation:CreateStack', 'iam:PassRole']),
    )
    expect(actions(keyed[ci.arn!])).not.toContain('logs:CreateLogGroup')
    expect(actions(keyed[serviceRole])).toEqual(['logs:CreateLogGroup'])
    expect(r.stderr).toContain(`Serverless: provider.iam.deploymentRole: ${serviceRole}`)
  })

  it("aws cloudformation deploy --role-arn: the deployer keeps PassRole on the service role, the role's CloudFormation sessions get the resources", async () => {
    const dev = userIdentity('deployer', 'AKIADEPLOYEREXAMPLE1')
    const serviceRole = `arn:aws:iam::${ACCOUNT}:role/stack-service-role`
    const cfnSession = {
      ...roleSessionIdentity('stack-service-role', 'AWSCloudFormation', 'ASIASTACKSVCSESSION1'),
      invokedBy: 'cloudformation.amazonaws.com',
    }
    const stackCall = (eventName: string, at: string, extra: Record<string, unknown> = {}) =>
      apiCall({
        userIdentity: dev,
        eventSource: 'cloudformation.amazonaws.com',
        eventName,
        eventTime: at,
        requestParameters: { stackName: 'orders', ...extra },
      })
    const events = [
      stackCall('CreateChangeSet', '2026-11-20T10:00:00Z', {
        changeSetName: 'cs-1',
        roleARN: serviceRole,
        changeSetType: 'CREATE',
      }),
      stackCall('ExecuteChangeSet', '2026-11-20T10:00:05Z', { changeSetName: 'cs-1' }),
      apiCall({
        userIdentity: cfnSession,
        userAgent: 'cloudformation.amazonaws.com',
        sourceIPAddress: 'cloudformation.amazonaws.com',
        eventSource: 'sns.amazonaws.com',
        eventName: 'CreateTopic',
        eventTime: '2026-11-20T10:00:10Z',
        requestParameters: { name: 'orders-events' },
      }),
    ]
    const file = await ndjson('role-arn.ndjson', events)
    const r = await runCli(['policy', file, '--principal', dev.arn!, '--follow', '--verify'])
    expect(r.code, r.stderr).toBe(0)
    const keyed = JSON.parse(r.stdout) as Keyed
    const deployer = keyed[dev.arn!]!
    const pass = deployer.Statement.find((s) =>
      actions({ ...deployer, Statement: [s] }).includes('iam:PassRole'),
    )
    expect(pass?.Resource).toEqual([serviceRole])
    expect(pass?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    })
    expect(actions(deployer)).not.toContain('sns:CreateTopic')
    expect(actions(keyed[serviceRole])).toEqual(['sns:CreateTopic'])
    expect(r.stderr).toContain('pass it as --role-arn')
  })

  it("Terraform's assume_role: the role's calls are its own, the caller needs sts:AssumeRole; a service-linked role is left out", async () => {
    const user = userIdentity('tf-runner', 'AKIATFRUNNEREXAMPLE1')
    const tf =
      'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0'
    const target = `arn:aws:iam::${ACCOUNT}:role/terraform-apply`
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport`
    const assume = (roleArn: string, key: string, at: string) =>
      apiCall({
        userIdentity: user,
        userAgent: tf,
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        eventTime: at,
        awsRegion: 'us-east-1',
        requestParameters: { roleArn, roleSessionName: 'tf-apply' },
        responseElements: {
          credentials: { accessKeyId: key, sessionToken: 'x', expiration: 'Nov 20, 2026, 11:00:00 AM' },
          assumedRoleUser: {
            assumedRoleId: 'AROATFAPPLY:tf-apply',
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split('/').pop()}/tf-apply`,
          },
        },
      })
    const events = [
      assume(target, 'ASIATFAPPLYSESSION01', '2026-11-20T10:00:00Z'),
      assume(slr, 'ASIASLRSESSIONXXXX01', '2026-11-20T10:00:01Z'),
      apiCall({
        userIdentity: roleSessionIdentity('terraform-apply', 'tf-apply', 'ASIATFAPPLYSESSION01'),
        userAgent: tf,
        eventSource: 'sqs.amazonaws.com',
        eventName: 'CreateQueue',
        eventTime: '2026-11-20T10:00:05Z',
        requestParameters: { queueName: 'orders' },
      }),
    ]
    // The role's session is in another file than the AssumeRole that made it (another region's log).
    const a = await ndjson('tf-b.ndjson', events.slice(2))
    const b = await ndjson('tf-a.ndjson', events.slice(0, 2))
    const r = await runCli(['policy', a, b, '--principal', user.arn!, '--follow'])
    expect(r.code, r.stderr).toBe(0)
    const keyed = JSON.parse(r.stdout) as Keyed
    expect(Object.keys(keyed).sort()).toEqual([target, user.arn!].sort())
    expect(actions(keyed[target])).toEqual(['sqs:CreateQueue'])
    expect(r.stderr).toContain(`Terraform: ${target} is the provider's assume_role role`)
    expect(r.stderr).toContain(`left out ${slr}: service-linked role`)
  })

  it('needs someone to start from, and files it can read twice', async () => {
    const file = await ndjson('none.ndjson', deploy())
    const none = await runCli(['policy', file, '--follow', '-q'])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('--follow starts from someone')
    const stdin = await runCli(['policy', '-', '--principal', DEV_ARN, '--follow', '-q'], { stdin: '' })
    expect(stdin.code).toBe(1)
    expect(stdin.stderr).toContain('cannot be read twice')
    const missing = join(dir, 'no-such-file.json')
    const unread = await runCli(['policy', missing, '--principal', DEV_ARN, '--follow', '-q'])
    expect(unread.code).toBe(1)
    expect(unread.stderr).toContain(`inputs that could not be read:\n  ${missing}: ENOENT`)
  })
})

describe('diff over the identity graph', () => {
  const details = () => ({
    UserDetailList: [
      {
        UserName: 'alice',
        Arn: DEV_ARN,
        UserPolicyList: [
          {
            PolicyName: 'assume-cdk',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/cdk-*' },
              ],
            },
          },
        ],
        AttachedManagedPolicies: [],
        GroupList: [],
      },
    ],
    RoleDetailList: [
      ...['deploy-role', 'file-publishing-role', 'lookup-role'].map((purpose) => ({
        RoleName: `cdk-hnb659fds-${purpose}-${ACCOUNT}-eu-west-1`,
        Arn: DEPLOY_ROLE.replace('deploy-role', purpose),
        RolePolicyList: [
          {
            PolicyName: 'default',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['cloudformation:*', 'ssm:GetParameter', 's3:*', 'iam:PassRole'],
                  Resource: '*',
                },
              ],
            },
          },
        ],
        AttachedManagedPolicies: [],
      })),
      {
        RoleName: `cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`,
        Arn: EXEC_ROLE,
        RolePolicyList: [],
        AttachedManagedPolicies: [
          { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
        ],
      },
    ],
    GroupDetailList: [],
    Policies: [],
  })

  it('compares each identity with its own policies from the authorization details', async () => {
    const auth = join(dir, 'auth.json')
    await writeFile(auth, JSON.stringify(details()))
    const r = await runCli(['diff', '--granted', auth, cdkRec, '--format', 'json', '-q'])
    expect(r.code, r.stderr).toBe(0)
    const diffs = JSON.parse(r.stdout) as Record<
      string,
      { summary: { unusedActions: number; denied: number } }
    >
    expect(Object.keys(diffs)).toHaveLength(5)
    // AdministratorAccess on the execution role: thousands of actions the deploy never used.
    expect(diffs[EXEC_ROLE]!.summary.unusedActions).toBeGreaterThan(10_000)
    expect(diffs[DEV_ARN]!.summary.unusedActions).toBe(0)
    const gate = await runCli(['diff', '--granted', auth, cdkRec, '--fail-on', 'unused', '-q'])
    expect(gate.code).toBe(3)
  })

  it('refuses one policy file for several identities', async () => {
    const one = join(dir, 'one-policy.json')
    await writeFile(
      one,
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    )
    const r = await runCli(['diff', '--granted', one, cdkRec, '-q'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('several identities')
  })
})

describe('docs/case-studies/cdk.md', () => {
  it('is the numbers of the CDK recording, regenerated', async () => {
    const page = join(REPO_ROOT, 'docs', 'case-studies', 'cdk.md')
    const text = await renderCdkCaseStudy()
    if (process.env.UPDATE_GOLDEN) await writeFile(page, text)
    expect(await readFile(page, 'utf8'), 'UPDATE_GOLDEN=1 npx vitest run test/identity').toBe(text)
  })
})
