import type { Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { exclusionFor, normalizedEventName, primaryActions } from './actions.js'
import type { EventMapping } from './mapping.js'
import { modelPrefixes, operationModel } from './model/lookup.js'
import type { ModelAction } from './model/operation-model.js'
import { RENAMES } from './rules/renames.js'
import { servicePrefixOf } from './service-prefix.js'

export interface ExplainedAction {
  action: string
  /** False: the Service Authorization Reference has no such action; the call would be unmapped. */
  inReference: boolean
  accessLevel?: string
  description?: string
  resourceTypes: { name: string; required: boolean; arn: string }[]
}

/** One conditional action of the operation model, with the trigger the reducer checks. */
export interface ExplainedModelAction extends ExplainedAction {
  purpose: ModelAction['purpose']
  when?: string[]
  match?: string
  condition?: Record<string, string[]>
  instanceProfile?: boolean
  resource?: ModelAction['resource']
  source: string
}

/** What the tables say about an eventSource/eventName, without an event. */
export interface CallExplanation {
  eventSource: string
  eventName: string
  /** The name the tables are keyed by (Lambda's API version stripped). */
  operation: string
  prefix: string
  serviceKnown: boolean
  excluded?: { id: string; reason: string; ref: string }
  /** Whether the operation model has an entry for the operation. */
  inModel: boolean
  rule?: { id: string; reason: string; ref: string }
  actions: ExplainedAction[]
  conditional: ExplainedModelAction[]
  /** EC2's TagSpecifications → ec2:CreateTags, which is keyed by request shape, not by operation. */
  ec2TagSpecifications: boolean
  /** False when no rule, model entry or reference action covers the call: events of it are unmapped. */
  known: boolean
}

/** The catalog services explainCall reads: the call's own, iam, and every one its model names. */
export function explainPrefixes(eventSource: string, eventName: string): string[] {
  const prefix = servicePrefixOf(eventSource)
  const operation = normalizedEventName({ eventSource, eventName } as CloudTrailEvent)
  const renamed = RENAMES[`${eventSource}:${operation}`]?.actions.map((a) => a.action.split(':')[0]!) ?? []
  return [...new Set([prefix, 'iam', ...renamed, ...modelPrefixes(prefix, operation)])]
}

/** The same choices the mapper makes (primaryActions, the model), laid out for a user to check. */
export function explainCall(catalog: Catalog, eventSource: string, eventName: string): CallExplanation {
  const event = { eventSource, eventName, eventTime: '', awsRegion: '', eventID: '' } as CloudTrailEvent
  const prefix = servicePrefixOf(eventSource)
  const operation = normalizedEventName(event)
  const base = {
    eventSource,
    eventName,
    operation,
    prefix,
    serviceKnown: catalog.service(prefix) !== undefined,
    ec2TagSpecifications: false,
  }
  const excluded = exclusionFor(event)
  if (excluded)
    return {
      ...base,
      excluded: { id: excluded.id, reason: excluded.reason, ref: excluded.ref },
      inModel: false,
      actions: [],
      conditional: [],
      known: true,
    }
  const model = operationModel(prefix, operation)
  const describe = (action: string): ExplainedAction => {
    const [p, n] = action.split(':') as [string, string]
    const info = catalog.action(p, n)
    if (!info) return { action, inReference: false, resourceTypes: [] }
    return {
      action: `${p}:${info.name}`,
      inReference: true,
      accessLevel: info.accessLevel,
      description: info.description,
      resourceTypes: info.resourceTypes.map((rt) => ({
        name: rt.name,
        required: rt.required,
        arn: catalog.service(p)?.resourceTypes.get(rt.name.toLowerCase())?.arn ?? '?',
      })),
    }
  }
  let rule: CallExplanation['rule']
  let actions: ExplainedAction[]
  if (prefix === 'apigateway') {
    rule = {
      id: 'apigateway:verb-on-path',
      reason: 'the HTTP verb on the resource path built from the request',
      ref: 'API Gateway: the apigateway-resource-arns page of the developer guide',
    }
    actions = []
  } else {
    const primary = primaryActions(catalog, eventSource, operation, model)
    const key = `${eventSource}:${operation}`
    const renamed = Object.hasOwn(RENAMES, key) ? RENAMES[key] : undefined
    rule = {
      id: primary.ruleId,
      reason: renamed
        ? renamed.reason
        : primary.ruleId === 'sar:operation'
          ? "the operation's actions in the Service Authorization Reference's API operations table"
          : 'the action has the event name',
      ref: renamed ? renamed.ref : 'Service Authorization Reference',
    }
    actions = primary.specs.map((s) => describe(s.action))
  }
  const primaryNames = new Set(actions.map((a) => a.action.toLowerCase()))
  const conditional: ExplainedModelAction[] = []
  for (const m of model ?? []) {
    if (m.purpose === 'primary' && (prefix === 'apigateway' || primaryNames.has(m.action.toLowerCase())))
      continue
    const { action: _a, ...rest } = m
    conditional.push({ ...describe(m.action), ...rest })
  }
  const known =
    prefix === 'apigateway'
      ? model !== undefined
      : actions.some((a) => a.inReference) || conditional.some((a) => a.inReference)
  return {
    ...base,
    inModel: model !== undefined,
    rule,
    actions,
    conditional,
    ec2TagSpecifications: eventSource === 'ec2.amazonaws.com' && eventName !== 'CreateTags',
    known,
  }
}

function resourceLines(a: ExplainedAction, indent: string): string[] {
  if (!a.inReference)
    return [`${indent}NOT in the Service Authorization Reference (the event would be reported unmapped)`]
  if (a.resourceTypes.length === 0) return [`${indent}resource: * (the action has no resource types)`]
  return a.resourceTypes.map(
    (rt) => `${indent}resource type ${rt.name}${rt.required ? ' (required)' : ''}: ${rt.arn}`,
  )
}

function trigger(m: ExplainedModelAction): string {
  if (m.when === undefined) return 'always'
  if (m.when.length === 0)
    return 'never from the request alone (the request does not name what it applies to)'
  const members = m.when.join(' / ')
  return m.match ? `when ${members} matches /${m.match}/` : `when ${members} is present and not empty`
}

/** The explanation as the text `iamtrail explain` prints. */
export function renderCallExplanation(x: CallExplanation): string {
  const lines: string[] = [`${x.eventSource} ${x.eventName}`]
  if (x.excluded) {
    lines.push(`  excluded (${x.excluded.id}): ${x.excluded.reason}`, `  source: ${x.excluded.ref}`)
    return `${lines.join('\n')}\n`
  }
  lines.push(
    `  IAM service prefix: ${x.prefix}${x.serviceKnown ? '' : '  (unknown to the Service Authorization Reference)'}`,
  )
  if (x.operation !== x.eventName) lines.push(`  event name without Lambda API version: ${x.operation}`)
  lines.push(
    x.inModel
      ? '  operation model: has this operation (src/reduce/model/operations.ts)'
      : '  operation model: no entry for this operation',
  )
  if (x.rule) lines.push(`  rule ${x.rule.id}: ${x.rule.reason}`, `  source: ${x.rule.ref}`)
  for (const a of x.actions) {
    lines.push(
      a.inReference ? `  action ${a.action} (${a.accessLevel}): ${a.description}` : `  action ${a.action}:`,
      ...resourceLines(a, '    '),
    )
  }
  for (const m of x.conditional) {
    const cond = m.condition
      ? `, condition ${Object.entries(m.condition)
          .map(([k, v]) => `${k} = ${v.join(' | ')}`)
          .join(', ')}`
      : ''
    const on =
      m.purpose === 'pass-role'
        ? ` on the role the member names${m.instanceProfile ? ' (an instance profile, resolved to its role)' : ''}`
        : m.resource === 'copy-source'
          ? ' on the copy source'
          : m.resource === 'named'
            ? ' on the resource the request names (not an ARN in it)'
            : ''
    lines.push(`  ${m.purpose} ${m.action}${on} ${trigger(m)}${cond}`, `    source: ${m.source}`)
    if (!m.inReference) lines.push(...resourceLines(m, '    '))
  }
  if (x.ec2TagSpecifications)
    lines.push(
      '  tag ec2:CreateTags for each TagSpecification resource type, condition ec2:CreateAction (infer:tag-on-create)',
    )
  if (!x.known) lines.push('  unknown: no rule, model entry or reference action covers this call')
  return `${lines.join('\n')}\n`
}

/** What one real event maps to: every grant with its resource, condition and rule. */
export function explainEvent(event: CloudTrailEvent, mapping: EventMapping): string {
  const lines = [
    `event ${event.eventID} ${event.eventSource} ${event.eventName} at ${event.eventTime} in ${event.awsRegion}`,
  ]
  if (mapping.kind === 'excluded') lines.push(`  excluded (${mapping.rule}): ${mapping.reason}`)
  else if (mapping.kind === 'unmapped') lines.push(`  unmapped: ${mapping.reason}`)
  else {
    for (const g of mapping.grants) {
      const cond = g.condition ? ` when ${JSON.stringify(g.condition)}` : ''
      const how = g.inferredBy ? `inferred by ${g.inferredBy}` : `rule ${g.rule}`
      lines.push(`  ${g.action} on ${g.resource}${cond}  [${how}]`)
    }
    for (const f of mapping.findings) lines.push(`  ${f.severity}: ${f.detail} [${f.code}]`)
  }
  return `${lines.join('\n')}\n`
}
