import { beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import type { EventMapper } from '../../src/reduce/mapping.js'
import { ACCOUNT, apiCall } from '../support/events.js'

/**
 * Calls found on real corpora whose resource the event names, once granted on `*`: each maps to
 * the ARN of what it acted on. Request shapes as CloudTrail logs them (EC2's {content, tag}
 * wrappers, RDS's dB… casing, SSM's `target`).
 */
const catalog = new Catalog()
let mapper: EventMapper
beforeAll(async () => {
  mapper = createMapper(catalog)
})

async function pairs(e: CloudTrailEvent): Promise<string[]> {
  for (const p of mapper.prefixesFor(e)) await catalog.ensureService(p)
  const m = mapper.map(e)
  if (m.kind !== 'mapped') throw new Error(`${e.eventName}: ${m.kind}`)
  return m.grants.map((g) => `${g.action} ${g.resource}`)
}
const call = (eventSource: string, eventName: string, requestParameters: unknown, over = {}) =>
  apiCall({ eventSource, eventName, requestParameters, awsRegion: 'us-east-1', ...over } as CloudTrailEvent)
const R = `us-east-1:${ACCOUNT}`

describe('resources the event names', () => {
  it.each([
    [
      call('ec2.amazonaws.com', 'DeleteFlowLogs', {
        DeleteFlowLogsRequest: { FlowLogId: { content: 'fl-0123456789abcdef0', tag: 1 } },
      }),
      [`ec2:DeleteFlowLogs arn:aws:ec2:${R}:vpc-flow-log/fl-0123456789abcdef0`],
    ],
    [
      call('ec2.amazonaws.com', 'DeleteNetworkAclEntry', {
        networkAclId: 'acl-0123456789abcdef0',
        ruleNumber: 100,
      }),
      [`ec2:DeleteNetworkAclEntry arn:aws:ec2:${R}:network-acl/acl-0123456789abcdef0`],
    ],
    [
      call('ec2.amazonaws.com', 'CreateKeyPair', { keyName: 'deploy-key', keyType: 'rsa' }),
      [`ec2:CreateKeyPair arn:aws:ec2:${R}:key-pair/deploy-key`],
    ],
    [
      call('monitoring.amazonaws.com', 'DeleteAlarms', { alarmNames: ['high-cpu', 'low-disk'] }),
      [
        `cloudwatch:DeleteAlarms arn:aws:cloudwatch:${R}:alarm:high-cpu`,
        `cloudwatch:DeleteAlarms arn:aws:cloudwatch:${R}:alarm:low-disk`,
      ],
    ],
    [
      call('rds.amazonaws.com', 'ModifyDBSnapshotAttribute', {
        dBSnapshotIdentifier: 'nightly',
        attributeName: 'restore',
        valuesToAdd: ['210987654321'],
      }),
      [`rds:ModifyDBSnapshotAttribute arn:aws:rds:${R}:snapshot:nightly`],
    ],
    [
      call('rds.amazonaws.com', 'ModifyDBClusterSnapshotAttribute', {
        dBClusterSnapshotIdentifier: 'nightly-c',
        attributeName: 'restore',
      }),
      [`rds:ModifyDBClusterSnapshotAttribute arn:aws:rds:${R}:cluster-snapshot:nightly-c`],
    ],
    [
      call('ssm.amazonaws.com', 'StartSession', { target: 'i-0123456789abcdef0' }),
      [
        `ssm:StartSession arn:aws:ssm:${R}:document/SSM-SessionManagerRunShell`,
        `ssm:StartSession arn:aws:ec2:${R}:instance/i-0123456789abcdef0`,
      ],
    ],
    [
      call('ssm.amazonaws.com', 'SendCommand', {
        documentName: 'AWS-RunShellScript',
        instanceIds: ['i-0123456789abcdef0'],
      }),
      [
        // AWS's own documents have no account in their ARN.
        'ssm:SendCommand arn:aws:ssm:us-east-1::document/AWS-RunShellScript',
        `ssm:SendCommand arn:aws:ec2:${R}:instance/i-0123456789abcdef0`,
      ],
    ],
    [
      call('ssm.amazonaws.com', 'SendCommand', {
        documentName: 'deploy-app',
        instanceIds: ['i-0123456789abcdef0'],
      }),
      [`ssm:SendCommand arn:aws:ssm:${R}:document/deploy-app`],
    ],
    [
      call(
        'ssm.amazonaws.com',
        'StartAutomationExecution',
        {
          documentName: 'AWSSupport-TroubleshootSSH',
          parameters: { InstanceId: ['i-0123456789abcdef0'] },
        },
        { responseElements: { automationExecutionId: '4105a4fc-f944-11e6-9d32-0123456789ab' } },
      ),
      [
        'ssm:StartAutomationExecution arn:aws:ssm:us-east-1::document/AWSSupport-TroubleshootSSH',
        // The execution it starts gets a new id on every run.
        `ssm:StartAutomationExecution arn:aws:ssm:${R}:automation-execution/*`,
      ],
    ],
    [
      call('states.amazonaws.com', 'CreateStateMachine', {
        name: 'orders-flow',
        definition: 'HIDDEN_DUE_TO_SECURITY_REASONS',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-flow-role`,
      }),
      [`states:CreateStateMachine arn:aws:states:${R}:stateMachine:orders-flow`],
    ],
    [
      call('autoscaling.amazonaws.com', 'UpdateAutoScalingGroup', {
        autoScalingGroupName: 'web',
        maxSize: 3,
      }),
      // The group's ARN holds a UUID AWS gave it; the name is the request's.
      [
        `autoscaling:UpdateAutoScalingGroup arn:aws:autoscaling:${R}:autoScalingGroup:*:autoScalingGroupName/web`,
      ],
    ],
    [
      call('athena.amazonaws.com', 'StartQueryExecution', { queryString: 'SELECT 1', workGroup: 'analysts' }),
      [`athena:StartQueryExecution arn:aws:athena:${R}:workgroup/analysts`],
    ],
    [
      call('route53.amazonaws.com', 'ChangeResourceRecordSets', {
        hostedZoneId: 'Z0123456789ABCDEFGHIJ',
        changeBatch: {
          changes: [{ action: 'UPSERT', resourceRecordSet: { name: 'a.example.com', type: 'A' } }],
        },
      }),
      // The zone the request names, not every zone (`hostedzone/${Id}` is not an id AWS makes up here).
      ['route53:ChangeResourceRecordSets arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ'],
    ],
    [
      call('ecs.amazonaws.com', 'RunTask', { cluster: 'prod', taskDefinition: 'web:3' }),
      [`ecs:RunTask arn:aws:ecs:${R}:task-definition/web:3`],
    ],
    [
      // A bare family runs its latest revision, which the request does not name.
      call('ecs.amazonaws.com', 'RunTask', { cluster: 'prod', taskDefinition: 'web' }),
      [`ecs:RunTask arn:aws:ecs:${R}:task-definition/web:*`],
    ],
    [
      call('eks.amazonaws.com', 'UpdateClusterVersion', { name: 'prod', version: '1.31' }),
      [`eks:UpdateClusterVersion arn:aws:eks:${R}:cluster/prod`],
    ],
    [
      call('bedrock.amazonaws.com', 'InvokeModel', { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' }),
      [
        'bedrock:InvokeModel arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      ],
    ],
    [
      call('bedrock.amazonaws.com', 'Converse', { modelId: 'us.anthropic.claude-3-haiku-20240307-v1:0' }),
      [
        `bedrock:InvokeModel arn:aws:bedrock:${R}:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0`,
        'bedrock:InvokeModel arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      ],
    ],
    [
      call('sts.amazonaws.com', 'AssumeRole', null, {
        errorCode: 'AccessDenied',
        errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/target-role`,
      }),
      [`sts:AssumeRole arn:aws:iam::${ACCOUNT}:role/target-role`],
    ],
  ])('%#: %o', async (event, expected) => {
    const got = await pairs(event)
    expect(got).toEqual(expect.arrayContaining(expected))
    expect(got.filter((g) => g.endsWith(' *'))).toEqual([])
  })

  it('a role handed over by name (RDS DomainIAMRoleName) is passed', async () => {
    const got = await pairs(
      call('rds.amazonaws.com', 'RestoreDBInstanceFromDBSnapshot', {
        dBInstanceIdentifier: 'orders-restored',
        dBSnapshotIdentifier: 'nightly',
        domain: 'd-1234567890',
        domainIAMRoleName: 'rds-directory-access',
      }),
    )
    expect(got).toContain(`iam:PassRole arn:aws:iam::${ACCOUNT}:role/rds-directory-access`)
  })

  it('RDS DeleteDBInstance with a final snapshot also creates that snapshot, on both ARNs', async () => {
    const got = await pairs(
      call('rds.amazonaws.com', 'DeleteDBInstance', {
        dBInstanceIdentifier: 'orders',
        skipFinalSnapshot: false,
        finalDBSnapshotIdentifier: 'orders-final',
      }),
    )
    expect(got).toEqual(
      expect.arrayContaining([
        `rds:DeleteDBInstance arn:aws:rds:${R}:db:orders`,
        `rds:CreateDBSnapshot arn:aws:rds:${R}:db:orders`,
        `rds:CreateDBSnapshot arn:aws:rds:${R}:snapshot:orders-final`,
      ]),
    )
    expect(got.some((g) => g.includes('cluster-snapshot'))).toBe(false)
  })

  it('RunInstances still grants on * where EC2 needs resource types the request never names', async () => {
    const got = await pairs(
      call('ec2.amazonaws.com', 'RunInstances', {
        instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890' }] },
      }),
    )
    expect(got).toContain('ec2:RunInstances *')
  })

  it('a pipeline is named by pipeline.name, never by its stages or actions; its connection is passed on the connection', async () => {
    const connection = (service: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:connection/0b8d-4c6e`
    const pipeline = (service: string) =>
      call('codepipeline.amazonaws.com', 'CreatePipeline', {
        pipeline: {
          name: 'orders',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-pipeline`,
          stages: [
            {
              name: 'Source',
              actions: [
                {
                  name: 'Checkout',
                  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection' },
                  configuration: {
                    ConnectionArn: connection(service),
                    FullRepositoryId: 'o/r',
                    BranchName: 'main',
                  },
                },
              ],
            },
          ],
        },
      })
    const old = await pairs(pipeline('codestar-connections'))
    expect(old).toEqual(
      expect.arrayContaining([
        `codepipeline:CreatePipeline arn:aws:codepipeline:${R}:orders`,
        `codestar-connections:PassConnection ${connection('codestar-connections')}`,
      ]),
    )
    // No tags in the request: `stages` is not a tag member.
    expect(old.filter((g) => g.endsWith(' *') || g.includes('TagResource') || g.includes(':Source'))).toEqual(
      [],
    )
    expect(old.some((g) => g.startsWith('codeconnections:'))).toBe(false)
    const renamed = await pairs(pipeline('codeconnections'))
    expect(renamed).toEqual(
      expect.arrayContaining([
        `codestar-connections:PassConnection ${connection('codeconnections')}`,
        `codeconnections:PassConnection ${connection('codeconnections')}`,
      ]),
    )
  })

  it('a KMS alias call acts on the alias and its key', async () => {
    const got = await pairs(
      call('kms.amazonaws.com', 'CreateAlias', {
        aliasName: 'alias/orders/data',
        targetKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      }),
    )
    expect(got.sort()).toEqual([
      `kms:CreateAlias arn:aws:kms:${R}:alias/orders/data`,
      `kms:CreateAlias arn:aws:kms:${R}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ])
  })

  it('tags at create go on what the call creates, not on the cluster it names or every type TagResource takes', async () => {
    const tags = [{ key: 'team', value: 'orders' }]
    const service = await pairs(
      call('ecs.amazonaws.com', 'CreateService', {
        cluster: 'prod',
        serviceName: 'web',
        taskDefinition: 'web:3',
        tags,
      }),
    )
    expect(service.filter((g) => g.startsWith('ecs:TagResource'))).toEqual([
      `ecs:TagResource arn:aws:ecs:${R}:service/prod/web`,
    ])
    // CreateDistribution acts on no resource; its tags go on the new distribution, whose id the
    // response gives — never on anycast IP lists, trust stores or VPC origins.
    const distribution = await pairs(
      call('cloudfront.amazonaws.com', 'CreateDistributionWithTags', {
        distributionConfigWithTags: {
          distributionConfig: { callerReference: 'deploy-1', enabled: true },
          tags: { items: tags },
        },
      }),
    )
    expect(distribution.filter((g) => g.startsWith('cloudfront:TagResource'))).toEqual([
      'cloudfront:TagResource *',
    ])
    // CreateChangeSet's own action is on the stack its tags go to: the stack and the change set keep the tag.
    const changeSet = await pairs(
      call('cloudformation.amazonaws.com', 'CreateChangeSet', {
        stackName: 'orders',
        changeSetName: 'cs-1',
        changeSetType: 'CREATE',
        tags,
      }),
    )
    expect(changeSet.filter((g) => g.startsWith('cloudformation:TagResource')).sort()).toEqual([
      `cloudformation:TagResource arn:aws:cloudformation:${R}:changeSet/cs-1/*`,
      `cloudformation:TagResource arn:aws:cloudformation:${R}:stack/orders/*`,
    ])
    const plain = await pairs(
      call('rds.amazonaws.com', 'CreateDBInstance', { dBInstanceIdentifier: 'orders', tags }),
    )
    expect(plain.some((g) => g.startsWith('rds:CreateTenantDatabase'))).toBe(false)
    // A multi-tenant instance also creates tenant databases.
    const tenant = await pairs(
      call('rds.amazonaws.com', 'CreateDBInstance', { dBInstanceIdentifier: 'orders', multiTenant: true }),
    )
    expect(tenant).toContain(`rds:CreateTenantDatabase arn:aws:rds:${R}:db:orders`)
  })

  it('a named StartExecution also describes the execution of that name; an unnamed one does not', async () => {
    const machine = `arn:aws:states:${R}:stateMachine:orders-flow`
    const named = await pairs(
      call('states.amazonaws.com', 'StartExecution', {
        stateMachineArn: machine,
        name: 'release-42',
        input: 'HIDDEN',
      }),
    )
    expect(named).toContain(`states:DescribeExecution arn:aws:states:${R}:execution:orders-flow:release-42`)
    const unnamed = await pairs(call('states.amazonaws.com', 'StartExecution', { stateMachineArn: machine }))
    expect(unnamed).toEqual([`states:StartExecution ${machine}`])
  })

  it('an instance profile in a member that takes a role or a profile passes the profile role', async () => {
    const got = await pairs(
      call('batch.amazonaws.com', 'CreateComputeEnvironment', {
        computeEnvironmentName: 'ce',
        type: 'MANAGED',
        serviceRole: `arn:aws:iam::${ACCOUNT}:role/batch-service`,
        computeResources: {
          type: 'EC2',
          instanceRole: `arn:aws:iam::${ACCOUNT}:instance-profile/batch-hosts`,
        },
      }),
    )
    expect(got).toEqual(
      expect.arrayContaining([
        `iam:PassRole arn:aws:iam::${ACCOUNT}:role/batch-service`,
        // The profile's role is not in this event: granted on * and reported, until the stream shows it.
        'iam:PassRole *',
      ]),
    )
  })

  it('ReEncrypt reads from the source key and encrypts to the destination key, each on its own key', async () => {
    const key = (id: string) => `arn:aws:kms:${R}:key/${id}`
    const got = await pairs(
      call('kms.amazonaws.com', 'ReEncrypt', {
        sourceKeyId: key('0000abcd-12ab-34cd-56ef-1234567890ab'),
        destinationKeyId: key('1234abcd-12ab-34cd-56ef-1234567890ab'),
      }),
    )
    expect(got.sort()).toEqual([
      `kms:ReEncryptFrom ${key('0000abcd-12ab-34cd-56ef-1234567890ab')}`,
      `kms:ReEncryptTo ${key('1234abcd-12ab-34cd-56ef-1234567890ab')}`,
    ])
  })

  it('actions the SAR lists for a variant of a call only for that variant', async () => {
    // An Aurora cluster's delete without a final snapshot tags nothing and deletes no instance.
    const aurora = await pairs(
      call('rds.amazonaws.com', 'DeleteDBCluster', {
        dBClusterIdentifier: 'orders',
        skipFinalSnapshot: true,
      }),
    )
    expect(aurora).toEqual([`rds:DeleteDBCluster arn:aws:rds:${R}:cluster:orders`])
    // EKS access entries only when the access configuration changes.
    const logging = await pairs(
      call('eks.amazonaws.com', 'UpdateClusterConfig', { name: 'prod', logging: { clusterLogging: [] } }),
    )
    expect(logging).toEqual([`eks:UpdateClusterConfig arn:aws:eks:${R}:cluster/prod`])
    const access = await pairs(
      call('eks.amazonaws.com', 'UpdateClusterConfig', {
        name: 'prod',
        accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      }),
    )
    expect(access).toContain(`eks:CreateAccessEntry arn:aws:eks:${R}:cluster/prod`)
  })

  it('an EventBridge rule on the default bus has no bus in its ARN; one on a custom bus has', async () => {
    for (const bus of [undefined, 'default', `arn:aws:events:${R}:event-bus/default`])
      expect(
        await pairs(call('events.amazonaws.com', 'PutRule', { name: 'nightly', eventBusName: bus })),
      ).toEqual([`events:PutRule arn:aws:events:${R}:rule/nightly`])
    expect(
      await pairs(call('events.amazonaws.com', 'PutRule', { name: 'orders', eventBusName: 'orders-bus' })),
    ).toEqual([`events:PutRule arn:aws:events:${R}:rule/orders-bus/orders`])
  })

  it('an SSM target that is not an EC2 instance id never becomes an instance ARN', async () => {
    const got = await pairs(call('ssm.amazonaws.com', 'StartSession', { target: 'mi-0123456789abcdef0' }))
    expect(got).toContain(`ssm:StartSession arn:aws:ssm:${R}:managed-instance/mi-0123456789abcdef0`)
    expect(got.some((g) => g.includes(':instance/'))).toBe(false)
  })
})
