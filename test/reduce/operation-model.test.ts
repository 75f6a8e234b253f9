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
  const literal = /^\^([\w-]+)\$$/.exec(pattern)?.[1]
  if (literal) return literal
  const service = /:\[\^:\]\+:([a-z0-9-]+):/.exec(pattern)?.[1]
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
})
