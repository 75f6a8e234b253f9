import { beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import type { EventMapper, MappedGrant } from '../../src/reduce/mapping.js'
import { type ModelAction, modelAction } from '../../src/reduce/model/operation-model.js'
import { OPERATIONS } from '../../src/reduce/model/operations.js'
import { EVENT_SOURCE_PREFIX } from '../../src/reduce/service-prefix.js'
import { ACCOUNT, apiCall } from '../support/events.js'

/**
 * Tests generated from the operation model: for every entry with a trigger (a role, tags, another
 * conditional part), an event shaped as CloudTrail logs it — the trigger member in lowerCamelCase
 * with a value of its kind — must map to that action; without the trigger, it must not.
 */
const catalog = new Catalog()
let mapper: EventMapper
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy-target-role`

const sourceOf = new Map<string, string>()
for (const [source, { prefix }] of Object.entries(EVENT_SOURCE_PREFIX))
  if (!sourceOf.has(prefix)) sourceOf.set(prefix, source)
const PREFERRED: Record<string, string> = {
  dynamodb: 'dynamodb.amazonaws.com',
  es: 'es.amazonaws.com',
  cloudformation: 'cloudformation.amazonaws.com',
}
const eventSourceOf = (prefix: string) =>
  PREFERRED[prefix] ?? sourceOf.get(prefix) ?? `${prefix}.amazonaws.com`
const camel = (s: string) => (s.startsWith('x-amz-') ? s : s[0]!.toLowerCase() + s.slice(1))

/** A value for a trigger member, of the kind the model expects there. */
function valueFor(m: ModelAction, member: string): unknown {
  if (m.purpose === 'pass-role')
    return m.instanceProfile ? { arn: `arn:aws:iam::${ACCOUNT}:instance-profile/p` } : ROLE
  if (m.purpose === 'tag' && !/^x-amz-/.test(member) && member !== 'Tagging')
    return [{ key: 'team', value: 'orders' }]
  if (m.match) return example(m.match)
  return 'some-value'
}
/** A string matching the trigger's pattern (ARN prefixes, a query marker or one literal value). */
function example(pattern: string): string {
  if (pattern === 'versionId=') return 'src-bucket/key.txt?versionId=3'
  if (pattern === '\\bunmask\\(') return 'fields @timestamp, unmask(@message)'
  const literal = /^\^([\w-]+)\$$/.exec(pattern)?.[1]
  if (literal) return literal
  // `^arn:[^:]+:service:`, or the first of alternatives `^arn:[^:]+:(a|b):`.
  const service = /:\[\^:\]\+:\(?([a-z0-9-]+)[|):]/.exec(pattern)?.[1]
  return `arn:aws:${service}:eu-west-1:${ACCOUNT}:thing/x`
}

const entries: [string, string, ModelAction][] = []
for (const [prefix, ops] of Object.entries(OPERATIONS))
  for (const [op, list] of Object.entries(ops))
    for (const e of list) {
      const m = modelAction(e)
      if (m.when && m.when.length > 0 && prefix !== 'apigateway') entries.push([prefix, op, m])
    }

beforeAll(async () => {
  const prefixes = new Set<string>(['iam'])
  for (const [prefix, ops] of Object.entries(OPERATIONS)) {
    prefixes.add(prefix)
    for (const list of Object.values(ops))
      for (const e of list) prefixes.add(modelAction(e).action.split(':')[0]!)
  }
  for (const p of prefixes) await catalog.ensureService(p)
  mapper = createMapper(catalog)
}, 120_000)

function mapped(prefix: string, op: string, requestParameters: Record<string, unknown>): MappedGrant[] {
  const event: CloudTrailEvent = apiCall({
    eventSource: eventSourceOf(prefix),
    eventName: op,
    awsRegion: 'eu-west-1',
    requestParameters,
  })
  const m = mapper.map(event)
  return m.kind === 'mapped' ? m.grants : []
}

describe('the operation model', () => {
  it('names only actions the Service Authorization Reference has', () => {
    const invalid: string[] = []
    for (const [prefix, ops] of Object.entries(OPERATIONS))
      for (const [op, list] of Object.entries(ops))
        for (const e of list) {
          const [p, n] = modelAction(e).action.split(':') as [string, string]
          if (!catalog.action(p, n)) invalid.push(`${prefix}:${op} → ${p}:${n}`)
        }
    expect(invalid).toEqual([])
  })

  it('has a trigger for hundreds of conditional actions (a regeneration that lost them fails here)', () => {
    const byPurpose = (p: string) => entries.filter(([, , m]) => m.purpose === p).length
    expect(byPurpose('pass-role')).toBeGreaterThan(150)
    expect(byPurpose('tag')).toBeGreaterThan(200)
    expect(byPurpose('other')).toBeGreaterThan(100)
  })

  it('maps every triggered action when its member is in the request, and not without it', () => {
    const missing: string[] = []
    const spurious: string[] = []
    for (const [prefix, op, m] of entries) {
      const member = m.when![0]!
      const with_ = mapped(prefix, op, { [camel(member)]: valueFor(m, member) })
      const hit = with_.find(
        (g) =>
          g.action.toLowerCase() === m.action.toLowerCase() &&
          (m.purpose !== 'pass-role' || m.instanceProfile || g.resource === ROLE),
      )
      if (!hit) missing.push(`${prefix}:${op} ${camel(member)} → ${m.action}`)
      else if (
        m.purpose === 'pass-role' &&
        m.condition &&
        !JSON.stringify(hit.condition).includes(m.condition['iam:PassedToService']![0]!)
      )
        missing.push(`${prefix}:${op} → ${m.action} without iam:PassedToService`)
      const without = mapped(prefix, op, {})
      const primaries = new Set(
        (OPERATIONS[prefix]![op] ?? [])
          .map(modelAction)
          .filter((x) => x.purpose === 'primary')
          .map((x) => x.action.toLowerCase()),
      )
      if (
        !primaries.has(m.action.toLowerCase()) &&
        without.some((g) => g.action.toLowerCase() === m.action.toLowerCase() && g.inferredBy)
      )
        spurious.push(`${prefix}:${op} → ${m.action}`)
    }
    expect(missing).toEqual([])
    expect(spurious).toEqual([])
  })

  it('passes a role the model names no member for when its ARN rides in a patch (API Gateway UpdateAccount)', () => {
    const grants = mapped('apigateway', 'UpdateAccount', {
      patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: ROLE }],
    })
    expect(grants.find((g) => g.action === 'iam:PassRole')).toMatchObject({
      resource: ROLE,
      condition: { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } },
    })
  })

  it('gives Lambda CreateFunction its layers, tags and role', () => {
    const layer = `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:deps:4`
    const grants = mapped('lambda', 'CreateFunction20150331', {
      functionName: 'orders',
      role: ROLE,
      layers: [layer],
      tags: { team: 'orders' },
    })
    const actions = grants.map((g) => `${g.action} ${g.resource}`)
    expect(actions).toContain(`lambda:GetLayerVersion ${layer}`)
    expect(actions).toContain(`iam:PassRole ${ROLE}`)
    expect(
      actions.some((a) =>
        a.startsWith('lambda:TagResource arn:aws:lambda:eu-west-1:123456789012:function:orders'),
      ),
    ).toBe(true)
  })

  it('passes a role nested in a structure, an attribute map or a name/value pair (Cognito, SNS)', () => {
    const passed = (prefix: string, op: string, params: Record<string, unknown>) =>
      mapped(prefix, op, params)
        .filter((g) => g.action === 'iam:PassRole')
        .map((g) => g.resource)
    expect(
      passed('cognito-idp', 'CreateUserPool', {
        poolName: 'users',
        smsConfiguration: { snsCallerArn: ROLE, externalId: 'x', snsRegion: 'eu-west-1' },
      }),
    ).toEqual([ROLE])
    expect(
      passed('sns', 'CreateTopic', { name: 'orders', attributes: { LambdaSuccessFeedbackRoleArn: ROLE } }),
    ).toEqual([ROLE])
    expect(
      passed('sns', 'SetTopicAttributes', {
        topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:orders`,
        attributeName: 'LambdaFailureFeedbackRoleArn',
        attributeValue: ROLE,
      }),
    ).toEqual([ROLE])
    // No role in the request: nothing passed, whatever the attribute holds.
    expect(
      passed('sns', 'SetTopicAttributes', {
        topicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:orders`,
        attributeName: 'DisplayName',
        attributeValue: 'orders',
      }),
    ).toEqual([])
  })

  it('passes the role an API Gateway integration patch sets as its credentials', () => {
    const grants = mapped('apigateway', 'UpdateIntegration', {
      restApiId: 'a1b2c3',
      resourceId: 'r1',
      httpMethod: 'POST',
      patchOperations: [{ op: 'replace', path: '/credentials', value: ROLE }],
    })
    expect(grants.filter((g) => g.action === 'iam:PassRole').map((g) => g.resource)).toEqual([ROLE])
  })

  it('gives a DynamoDB restore the item actions on the table it creates, replica actions only with replicas', () => {
    const table = (name: string) => `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/${name}`
    const restore = mapped('dynamodb', 'RestoreTableToPointInTime', {
      sourceTableName: 'orders',
      targetTableName: 'orders-restored',
      useLatestRestorableTime: true,
    }).map((g) => `${g.action} ${g.resource}`)
    expect(restore).toContain(`dynamodb:RestoreTableToPointInTime ${table('orders')}`)
    for (const a of ['BatchWriteItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem'])
      expect(restore).toContain(`dynamodb:${a} ${table('orders-restored')}`)
    expect(restore.some((g) => g.startsWith('dynamodb:CreateTableReplica'))).toBe(false)
    // The source table's ARN in the request is not the table the restore writes.
    const byArn = mapped('dynamodb', 'RestoreTableToPointInTime', {
      sourceTableArn: table('orders'),
      targetTableName: 'orders-restored',
    }).filter((g) => g.action === 'dynamodb:PutItem')
    expect(byArn.map((g) => g.resource)).toEqual([table('orders-restored')])
    const replica = (params: Record<string, unknown>) =>
      mapped('dynamodb', 'CreateTable', { tableName: 'orders', ...params }).map((g) => g.action)
    expect(replica({ globalTableSourceArn: `arn:aws:dynamodb:us-east-1:210987654321:table/orders` })).toEqual(
      expect.arrayContaining(['dynamodb:CreateTableReplica', 'dynamodb:AssociateTableReplica']),
    )
    expect(replica({ billingMode: 'PAY_PER_REQUEST' })).not.toContain('dynamodb:CreateTableReplica')
    expect(replica({ billingMode: 'PAY_PER_REQUEST' })).not.toContain('dynamodb:PutItem')
  })

  it('grants logs:Unmask only to a Logs Insights query that calls unmask()', () => {
    const query = (queryString: string) =>
      mapped('logs', 'StartQuery', { logGroupName: '/app', startTime: 1, endTime: 2, queryString }).map(
        (g) => g.action,
      )
    expect(query('fields @timestamp, unmask(@message)')).toContain('logs:Unmask')
    expect(query('fields @timestamp, @message')).not.toContain('logs:Unmask')
  })

  it('asks WAF for the associated resource type only (a load balancer, not AppSync or API Gateway)', () => {
    const actions = mapped('wafv2', 'AssociateWebACL', {
      webACLArn: `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/edge/1234`,
      resourceArn: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188`,
    }).map((g) => g.action)
    expect(actions).toEqual(
      expect.arrayContaining([
        'elasticloadbalancing:SetWebAcl',
        'elasticloadbalancing:CreateWebACLAssociation',
      ]),
    )
    expect(actions.some((a) => a.startsWith('appsync:') || a.startsWith('apigateway:'))).toBe(false)
  })
})
