import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RECORDING_FORMAT, writeRecording } from '../../src/collect/recording.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { evaluate } from '../../src/granted/evaluate.js'
import { contextOf } from '../../src/granted/request.js'
import { asArray, type PolicyDocument } from '../../src/policy/document.js'
import { widenName } from '../../src/synthesize/generalize.js'
import { creationsOf, requestTags } from '../../src/synthesize/provenance.js'
import { ACCOUNT, apiCall } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

/**
 * Generalization from evidence (issue 15): only what the recordings created widens, only its
 * generated parts, scoped by the tags it was created with or its account, and every condition is
 * checked by the evaluator through --verify. Events are shaped like the CloudTrail records of the
 * calls (EC2's `*Set.items`, CDK bootstrap names, account-less snapshot and bucket ARNs).
 */
const dir = mkdtempSync(join(tmpdir(), 'iamtrail-generalize-'))
const R = 'eu-west-1'

async function recording(name: string, events: CloudTrailEvent[]): Promise<string> {
  const path = join(dir, `${name}-${Math.random().toString(36).slice(2)}.rec`)
  await writeRecording(
    path,
    {
      format: RECORDING_FORMAT,
      iamtrailVersion: '0.1.0',
      name,
      principal: `arn:aws:iam::${ACCOUNT}:user/ci`,
      window: { start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00Z' },
      regions: [R],
      sources: ['test'],
      settle: { outcome: 'complete' },
      counts: { events: events.length, perRegion: { [R]: events.length } },
      createdAt: '2026-11-20T10:00:00Z',
    },
    events,
  )
  return path
}

async function policy(inputs: string[], ...args: string[]) {
  const r = await runCli(['policy', ...inputs, '--verify', ...args])
  expect(r.code, r.stderr).toBe(0)
  expect(r.stderr).toMatch(/verify: all \d+ recorded grants are allowed/)
  const doc = JSON.parse(r.stdout) as PolicyDocument
  return { doc, stderr: r.stderr, resources: doc.Statement.flatMap((s) => asArray(s.Resource)) }
}

/** What the evaluator answers for a call the recording did not make, with the facts given. */
function decide(doc: PolicyDocument, action: string, resource: string, facts: Record<string, string>) {
  return evaluate(
    { action, resource, context: contextOf(facts) },
    { identity: [{ name: 'p', document: doc }] },
  ).result
}

function statementFor(doc: PolicyDocument, action: string, resource: string) {
  return doc.Statement.find(
    (s) => asArray(s.Action).includes(action) && asArray(s.Resource).includes(resource),
  )
}

const ec2 = (
  eventName: string,
  requestParameters: Record<string, unknown>,
  responseElements: Record<string, unknown> | null = null,
) =>
  apiCall({ eventSource: 'ec2.amazonaws.com', eventName, awsRegion: R, requestParameters, responseElements })

function securityGroupDeploy(groupId: string): CloudTrailEvent[] {
  return [
    ec2(
      'CreateSecurityGroup',
      {
        groupName: `web-${groupId.slice(-4)}`,
        groupDescription: 'web',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        tagSpecificationSet: {
          items: [{ resourceType: 'security-group', tags: [{ key: 'app', value: 'orders' }] }],
        },
      },
      { requestId: 'r', _return: true, groupId },
    ),
    ec2('AuthorizeSecurityGroupIngress', {
      groupId,
      ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443 }] },
    }),
  ]
}

describe('names that are not volatile', () => {
  it('account ids, regions and partitions never widen; timestamps and suffixes still do', () => {
    expect(widenName('cdk-hnb659fds-assets-111122223333-eu-west-1')).toEqual({
      name: 'cdk-hnb659fds-assets-111122223333-eu-west-1',
      why: [],
    })
    expect(widenName('config-bucket-123837392027').why).toEqual([])
    expect(widenName('cdk-hnb659fds-deploy-role-111122223333-us-gov-west-1').why).toEqual([])
    expect(widenName('stack-20261120T130000Z.yaml').name).toBe('stack-*.yaml')
    expect(widenName('orders-api-prod-assetsbucket-x3k9p1m2q8rz').name).toBe('orders-api-prod-assetsbucket-*')
  })

  it('a create call names what it created, not what it referenced', () => {
    const run = ec2(
      'RunInstances',
      {
        instancesSet: { items: [{ imageId: 'ami-0d64bb532e0502c46', minCount: 1, maxCount: 1 }] },
        subnetId: 'subnet-0b1c2d3e4f5a6b7c8',
        groupSet: { items: [{ groupId: 'sg-0123456789abcdef0' }] },
        tagSpecificationSet: { items: [{ resourceType: 'instance', tags: [{ key: 'team', value: 'web' }] }] },
      },
      {
        instancesSet: {
          items: [
            {
              instanceId: 'i-0a7b3c9d1e5f24680',
              imageId: 'ami-0d64bb532e0502c46',
              subnetId: 'subnet-0b1c2d3e4f5a6b7c8',
            },
          ],
        },
      },
    )
    const created = creationsOf(run)
    expect(created.map((c) => c.token)).toEqual(['i-0a7b3c9d1e5f24680'])
    expect(created[0]!.tags).toEqual({ team: 'web' })
    expect(requestTags({ Tags: [{ Key: 'a', Value: '1' }], tags: { b: '2' } })).toEqual({ a: '1', b: '2' })
    // A failed create created nothing.
    expect(creationsOf({ ...run, errorCode: 'Client.UnauthorizedOperation' })).toEqual([])
  })

  it('starting a run creates the run; starting an instance does not create the instance', () => {
    const started = apiCall({
      eventSource: 'codebuild.amazonaws.com',
      eventName: 'StartBuild',
      awsRegion: R,
      requestParameters: { projectName: 'orders-build' },
      responseElements: { build: { id: 'orders-build:4105a4fc-f944-11e6-9d32-0123456789ab' } },
    })
    expect(creationsOf(started).map((c) => [c.token, c.noun])).toEqual([
      ['orders-build:4105a4fc-f944-11e6-9d32-0123456789ab', 'build'],
    ])
    const instances = ec2('StartInstances', {
      instancesSet: { items: [{ instanceId: 'i-0a7b3c9d1e5f24680' }] },
    })
    expect(creationsOf(instances)).toEqual([])
  })
})

describe('referenced resources keep their exact ARNs', () => {
  it('one snapshot, AMI, security group or CDK bootstrap role is never widened to its type', async () => {
    const cdkRole = (kind: string) =>
      `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ACCOUNT}-${R}`
    const events = [
      ec2('ModifySnapshotAttribute', {
        snapshotId: 'snap-041993b54a9b3af6f',
        attributeType: 'CREATE_VOLUME_PERMISSION',
      }),
      ec2('DeleteSnapshot', { snapshotId: 'snap-041993b54a9b3af6f' }),
      ec2('DeregisterImage', { imageId: 'ami-0d64bb532e0502c46' }),
      ec2('AuthorizeSecurityGroupIngress', { groupId: 'sg-0123456789abcdef0' }),
      ...['deploy', 'file-publishing'].map((kind) =>
        apiCall({
          eventSource: 'sts.amazonaws.com',
          eventName: 'AssumeRole',
          awsRegion: R,
          requestParameters: { roleArn: cdkRole(kind), roleSessionName: 'aws-cdk-ci' },
        }),
      ),
      apiCall({
        eventSource: 's3.amazonaws.com',
        eventName: 'GetBucketLocation',
        awsRegion: R,
        requestParameters: { bucketName: `cdk-hnb659fds-assets-${ACCOUNT}-${R}`, location: '' },
      }),
    ]
    const { resources, stderr } = await policy([await recording('deploy', events)])
    expect(resources).toContain(`arn:aws:ec2:${R}::snapshot/snap-041993b54a9b3af6f`)
    expect(resources).toContain(`arn:aws:ec2:${R}::image/ami-0d64bb532e0502c46`)
    expect(resources).toContain(`arn:aws:ec2:${R}:${ACCOUNT}:security-group/sg-0123456789abcdef0`)
    expect(resources).toContain(cdkRole('deploy'))
    expect(resources).toContain(cdkRole('file-publishing'))
    expect(resources).toContain(`arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-${R}`)
    expect(resources.filter((r) => r.includes('*') && r !== '*')).toEqual([])
    expect(stderr).not.toContain('generalized')
  })

  it('roles passed or assumed keep one resource each, even under --resources prefix:', async () => {
    const task = `arn:aws:iam::${ACCOUNT}:role/app-prod-task`
    const exec = `arn:aws:iam::${ACCOUNT}:role/app-prod-exec`
    const events = [
      apiCall({
        eventSource: 'ecs.amazonaws.com',
        eventName: 'RegisterTaskDefinition',
        awsRegion: R,
        requestParameters: {
          family: 'app-prod',
          taskRoleArn: task,
          executionRoleArn: exec,
          containerDefinitions: [],
        },
        responseElements: {
          taskDefinition: {
            taskDefinitionArn: `arn:aws:ecs:${R}:${ACCOUNT}:task-definition/app-prod:3`,
            revision: 3,
          },
        },
      }),
      apiCall({
        eventSource: 'iam.amazonaws.com',
        eventName: 'GetRole',
        awsRegion: 'us-east-1',
        requestParameters: { roleName: 'app-prod-task' },
      }),
      apiCall({
        eventSource: 'iam.amazonaws.com',
        eventName: 'GetRole',
        awsRegion: 'us-east-1',
        requestParameters: { roleName: 'app-prod-exec' },
      }),
    ]
    const rec = await recording('deploy', events)
    const byDefault = await policy([rec])
    const pass = byDefault.doc.Statement.find((s) => asArray(s.Action).includes('iam:PassRole'))!
    expect(asArray(pass.Resource).sort()).toEqual([exec, task])
    const scoped = await policy([rec], '--resources', 'prefix:app-prod-')
    const pass2 = scoped.doc.Statement.find((s) => asArray(s.Action).includes('iam:PassRole'))!
    expect(asArray(pass2.Resource).sort()).toEqual([exec, task])
    expect(statementFor(scoped.doc, 'iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/app-prod-*`)).toBeDefined()
    expect(scoped.stderr).toMatch(/role\/app-prod-\*: admits \d+ recorded \(action, resource\) pair/)
  })
})

describe('created resources widen, scoped by what the deploy set', () => {
  it('security groups created with tags in two runs: sg-* only under the tag, checked by --verify', async () => {
    const deploy = await recording('deploy', securityGroupDeploy('sg-0aa11bb22cc33dd44'))
    const redeploy = await recording('redeploy', [
      ...securityGroupDeploy('sg-0ee55ff66aa77bb88'),
      ec2('DeleteSecurityGroup', { groupId: 'sg-0aa11bb22cc33dd44' }),
    ])
    const { doc, stderr } = await policy([deploy, redeploy])
    const sg = `arn:aws:ec2:${R}:${ACCOUNT}:security-group/sg-*`
    const later = statementFor(doc, 'ec2:AuthorizeSecurityGroupIngress', sg)!
    expect(later.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/app': 'orders' } })
    expect(asArray(later.Action)).toContain('ec2:DeleteSecurityGroup')
    const create = statementFor(doc, 'ec2:CreateSecurityGroup', sg)!
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/app': 'orders' } })
    // The VPC was only referenced: exact, and without the tag condition.
    expect(
      statementFor(doc, 'ec2:CreateSecurityGroup', `arn:aws:ec2:${R}:${ACCOUNT}:vpc/vpc-0a1b2c3d4e5f60718`)
        ?.Condition,
    ).toBeUndefined()
    expect(stderr).toMatch(
      /generalized ec2 security-group: .*sg-0aa11bb22cc33dd44.*→ .*security-group\/sg-\* \(random hex\)/,
    )
    expect(stderr).toMatch(
      /evidence: created by ec2\.amazonaws\.com:CreateSecurityGroup \(event e1d2c3b4-[^)]* in deploy, redeploy\)/,
    )
    expect(stderr).toMatch(/evidence: differs across recordings deploy, redeploy/)
    expect(stderr).toContain(
      'scope: aws:ResourceTag/app = orders on ec2:AuthorizeSecurityGroupIngress, ec2:DeleteSecurityGroup',
    )
    // The evaluator really reads the condition: another team's group is not allowed.
    const other = `arn:aws:ec2:${R}:${ACCOUNT}:security-group/sg-0999999999999999a`
    expect(
      decide(doc, 'ec2:AuthorizeSecurityGroupIngress', other, { 'aws:ResourceTag/app': 'billing' }),
    ).toBe('denied')
    expect(decide(doc, 'ec2:AuthorizeSecurityGroupIngress', other, { 'aws:ResourceTag/app': 'orders' })).toBe(
      'allowed',
    )
  })

  it('an account-less ARN widened (snapshots, buckets) carries the recording’s account', async () => {
    const snap = (id: string) => [
      ec2(
        'CreateSnapshot',
        { volumeId: 'vol-0f1e2d3c4b5a69788' },
        { snapshotId: id, volumeId: 'vol-0f1e2d3c4b5a69788', status: 'pending' },
      ),
      ec2('DeleteSnapshot', { snapshotId: id }),
    ]
    const bucket = 'orders-api-prod-assetsbucket-x3k9p1m2q8rz'
    const s3 = (eventName: string) =>
      apiCall({
        eventSource: 's3.amazonaws.com',
        eventName,
        awsRegion: R,
        userIdentity: {
          ...apiCall({ eventSource: 'x', eventName: 'y' }).userIdentity,
          invokedBy: 'cloudformation.amazonaws.com',
        },
        sourceIPAddress: 'cloudformation.amazonaws.com',
        requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${R}.amazonaws.com` },
      })
    const { doc, stderr } = await policy([
      await recording('deploy', [...snap('snap-041993b54a9b3af6f'), s3('CreateBucket'), s3('DeleteBucket')]),
      await recording('redeploy', snap('snap-0c0ffee0c0ffee0c0')),
    ])
    const del = statementFor(doc, 'ec2:DeleteSnapshot', `arn:aws:ec2:${R}::snapshot/snap-*`)!
    expect(del.Condition).toEqual({ StringEquals: { 'aws:ResourceAccount': ACCOUNT } })
    const b = statementFor(doc, 's3:DeleteBucket', 'arn:aws:s3:::orders-api-prod-assetsbucket-*')!
    expect(b.Condition).toEqual({ StringEquals: { 's3:ResourceAccount': ACCOUNT } })
    expect(stderr).toContain('created by s3.amazonaws.com:CreateBucket via CloudFormation')
    expect(
      decide(doc, 's3:DeleteBucket', 'arn:aws:s3:::orders-api-prod-assetsbucket-theirs00001', {
        's3:ResourceAccount': '999988887777',
      }),
    ).toBe('denied')
  })

  it('a created id nothing can scope widens with a finding that names the risk', async () => {
    const run = (id: string) => [
      ec2(
        'RunInstances',
        { instancesSet: { items: [{ imageId: 'ami-0d64bb532e0502c46', minCount: 1, maxCount: 1 }] } },
        { instancesSet: { items: [{ instanceId: id }] } },
      ),
      ec2('TerminateInstances', { instancesSet: { items: [{ instanceId: id }] } }),
    ]
    const { doc, stderr } = await policy([
      await recording('deploy', run('i-0a7b3c9d1e5f24680')),
      await recording('redeploy', run('i-0123abcd4567ef890')),
    ])
    const term = statementFor(doc, 'ec2:TerminateInstances', `arn:aws:ec2:${R}:${ACCOUNT}:instance/i-*`)!
    expect(term.Condition).toBeUndefined()
    expect(stderr).toMatch(
      /warning: .*instance\/i-\*: ec2:TerminateInstances on every ec2 instance matching .* in account 123456789012 eu-west-1.*\[resource\.widened-unscoped\]/,
    )
    expect(stderr).toContain('risk: ec2:TerminateInstances on every ec2 instance')
  })
})
