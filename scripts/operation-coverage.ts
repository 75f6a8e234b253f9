/**
 * Measures the mapper against the SAR "API operations" tables the way a user's deploy meets them:
 * for every operation, an event whose request carries every top-level member of its botocore shape
 * (as CloudTrail logs them: lowerCamelCase, a role ARN where a role goes, tags as a list), mapped by
 * the real mapper; then, per service, how often the policy holds the operation's full set.
 * `npx tsx scripts/operation-coverage.ts` (needs the reference data and botocore, like the generator).
 */
import { join, resolve } from 'node:path'
import { Catalog } from '../src/catalog/catalog.js'
import type { CloudTrailEvent } from '../src/events/cloudtrail-event.js'
import { createMapper } from '../src/reduce/create-mapper.js'
import { EVENT_SOURCE_PREFIX } from '../src/reduce/service-prefix.js'
import { type BotocoreService, botocoreDataDir, loadBotocore } from './operations/botocore.js'
import { readSarOperations } from './operations/sources.js'

const reference =
  process.env.IAMTRAIL_REFERENCE ??
  resolve(import.meta.dirname ?? '.', '..', '..', 'shared', 'data', 'reference')
const ACCOUNT = '123456789012'
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deploy-target-role`
const models = loadBotocore(botocoreDataDir())
const sourceOf = new Map<string, string>()
for (const [source, { prefix }] of Object.entries(EVENT_SOURCE_PREFIX))
  if (!sourceOf.has(prefix)) sourceOf.set(prefix, source)
sourceOf.set('dynamodb', 'dynamodb.amazonaws.com')
sourceOf.set('cloudformation', 'cloudformation.amazonaws.com')
sourceOf.set('es', 'es.amazonaws.com')

function serviceFor(prefix: string, sdk: string, op: string): BotocoreService | undefined {
  for (const s of [
    models.get(sdk),
    models.get(prefix),
    ...[...models.values()].filter((m) => m.signingName === prefix),
  ])
    if (s?.operations[op]) return s
  return undefined
}

/** A plausible value for a member, by its name and shape, as a deploy would send it. */
function fill(s: BotocoreService, shapeName: string, name: string, depth: number): unknown {
  const shape = s.shapes[shapeName]
  if (!shape) return 'x'
  if (/role(arn)?$/i.test(name) && shape.type === 'string') return ROLE
  if (/^tags?$|^taglist$|^tagspecifications$/i.test(name)) {
    if (shape.type === 'map') return { team: 'orders' }
    if (/specification/i.test(name))
      return [{ resourceType: 'instance', tags: [{ key: 'team', value: 'orders' }] }]
    return [{ key: 'team', value: 'orders' }]
  }
  switch (shape.type) {
    case 'string':
      return shape.members
        ? 'x'
        : /arn$/i.test(name)
          ? `arn:aws:${s.signingName}:eu-west-1:${ACCOUNT}:thing/x`
          : 'x'
    case 'boolean':
      return true
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return 1
    case 'timestamp':
      return '2026-12-01T00:00:00Z'
    case 'list':
      return depth > 2 || !shape.member
        ? []
        : [fill(s, shape.member.shape, name.replace(/s$/, ''), depth + 1)]
    case 'map':
      return { k: 'v' }
    case 'structure': {
      if (depth > 2) return {}
      const out: Record<string, unknown> = {}
      for (const [m, ref] of Object.entries(shape.members ?? {}))
        out[lower(m)] = fill(s, ref.shape, m, depth + 1)
      return out
    }
    default:
      return 'x'
  }
}
const lower = (m: string) => (m.startsWith('x-amz-') ? m : m[0]!.toLowerCase() + m.slice(1))

const catalog = new Catalog()
const sar = readSarOperations(join(reference, 'sar-operations'))
for (const p of new Set(sar.flatMap((o) => [o.prefix, ...o.actions.map((a) => a.action.split(':')[0]!)])))
  await catalog.ensureService(p)
await catalog.ensureService('iam')
const mapper = createMapper(catalog)

interface Tally {
  ops: number
  primary: number
  conditional: number
  full: number
  passRole: number
  passRoleHit: number
  tag: number
  tagHit: number
}
const per = new Map<string, Tally>()
const misses: string[] = []
for (const op of sar) {
  const s = serviceFor(op.prefix, op.sdk, op.operation)
  const input = s?.operations[op.operation]?.input?.shape
  const params = s && input ? (fill(s, input, '', 0) as Record<string, unknown>) : {}
  const event = {
    eventVersion: '1.09',
    eventSource: sourceOf.get(op.prefix) ?? `${op.prefix}.amazonaws.com`,
    eventName: op.operation,
    eventTime: '2026-12-01T10:00:00Z',
    awsRegion: 'eu-west-1',
    eventID: 'e',
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, accountId: ACCOUNT },
    requestParameters: params,
  } as unknown as CloudTrailEvent
  const m = mapper.map(event)
  const got = new Set(m.kind === 'mapped' ? m.grants.map((g) => g.action.toLowerCase()) : [])
  const t = per.get(op.prefix) ?? {
    ops: 0,
    primary: 0,
    conditional: 0,
    full: 0,
    passRole: 0,
    passRoleHit: 0,
    tag: 0,
    tagHit: 0,
  }
  per.set(op.prefix, t)
  t.ops++
  const own =
    op.actions.find((a) => a.action.toLowerCase() === `${op.prefix}:${op.operation}`.toLowerCase()) ??
    op.actions[0]!
  if (got.has(own.action.toLowerCase())) t.primary++
  else
    misses.push(
      `${op.prefix}:${op.operation} primary ${own.action} not granted (${m.kind}${m.kind === 'unmapped' ? `: ${m.reason}` : ''})`,
    )
  if (op.actions.length > 1) {
    t.conditional++
    const lacking = op.actions.filter(
      (a) => !got.has(a.action.toLowerCase()) && !a.action.startsWith('s3-object-lambda:'),
    )
    if (lacking.length === 0) t.full++
    else misses.push(`${op.prefix}:${op.operation} lacks ${lacking.map((a) => a.action).join(', ')}`)
  }
  if (op.actions.some((a) => a.action === 'iam:PassRole') && JSON.stringify(params).includes(ROLE)) {
    t.passRole++
    if (got.has('iam:passrole')) t.passRoleHit++
  }
  const tagAction = op.actions.find((a) => /:(TagResource|Tag[A-Z]\w*|AddTags\w*|CreateTags)$/.test(a.action))
  if (
    tagAction &&
    !/^(Tag|AddTags|CreateTags)/.test(op.operation) &&
    /"tags?"|"tagList"|"tagSpecifications"/i.test(JSON.stringify(params))
  ) {
    t.tag++
    if (got.has(tagAction.action.toLowerCase())) t.tagHit++
  }
}
const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`)
const total: Tally = {
  ops: 0,
  primary: 0,
  conditional: 0,
  full: 0,
  passRole: 0,
  passRoleHit: 0,
  tag: 0,
  tagHit: 0,
}
console.log('service                    ops  primary  full-set(n)      PassRole(n)     tag(n)')
for (const [prefix, t] of [...per].sort()) {
  for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k]
  console.log(
    `${prefix.padEnd(24)} ${String(t.ops).padStart(5)}  ${pct(t.primary, t.ops)}  ${pct(t.full, t.conditional)} (${t.conditional})  ${pct(t.passRoleHit, t.passRole)} (${t.passRole})  ${pct(t.tagHit, t.tag)} (${t.tag})`,
  )
}
console.log(
  `${'all'.padEnd(24)} ${String(total.ops).padStart(5)}  ${pct(total.primary, total.ops)}  ${pct(total.full, total.conditional)} (${total.conditional})  ${pct(total.passRoleHit, total.passRole)} (${total.passRole})  ${pct(total.tagHit, total.tag)} (${total.tag})`,
)
if (process.argv.includes('--misses')) for (const m of misses) console.log(`  ${m}`)
