import type { Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { exclusionFor, normalizedEventName } from './actions.js'
import type { EventMapping } from './mapping.js'
import { PASS_ROLE } from './rules/pass-role.js'
import { RENAMES } from './rules/renames.js'
import { TAG_ON_CREATE } from './rules/tag-on-create.js'
import { servicePrefixOf } from './service-prefix.js'

/** What the tables say about an eventSource/eventName, without an event: the rules a user can check. */
export function explainCall(catalog: Catalog, eventSource: string, eventName: string): string {
  const event = { eventSource, eventName, eventTime: '', awsRegion: '', eventID: '' } as CloudTrailEvent
  const lines: string[] = [`${eventSource} ${eventName}`]
  const excluded = exclusionFor(event)
  if (excluded) {
    lines.push(`  excluded (${excluded.id}): ${excluded.reason}`, `  source: ${excluded.ref}`)
    return `${lines.join('\n')}\n`
  }
  const prefix = servicePrefixOf(eventSource)
  lines.push(
    `  IAM service prefix: ${prefix}${catalog.service(prefix) ? '' : '  (unknown to the Service Authorization Reference)'}`,
  )
  const name = normalizedEventName(event)
  if (name !== eventName) lines.push(`  event name without Lambda API version: ${name}`)
  const key = `${eventSource}:${name}`
  const rule = RENAMES[key]
  const actions = rule
    ? rule.actions.map((a) => a.action)
    : prefix === 'apigateway'
      ? []
      : [`${prefix}:${name}`]
  if (rule)
    lines.push(`  rule rename:${key.replace('.amazonaws.com', '')}: ${rule.reason}`, `  source: ${rule.ref}`)
  else if (prefix === 'apigateway')
    lines.push('  rule apigateway:verb-on-path: HTTP verb on the resource path built from the request')
  else lines.push('  rule sar:same-name: the action has the event name')
  for (const a of actions) {
    const [p, n] = a.split(':') as [string, string]
    const info = catalog.action(p, n)
    if (!info) {
      lines.push(`  ${a}: NOT in the Service Authorization Reference (the event would be reported unmapped)`)
      continue
    }
    lines.push(`  action ${p}:${info.name} (${info.accessLevel}): ${info.description}`)
    if (info.resourceTypes.length === 0) lines.push('    resource: * (the action has no resource types)')
    for (const rt of info.resourceTypes) {
      const fmt = catalog.service(p)?.resourceTypes.get(rt.name.toLowerCase())?.arn ?? '?'
      lines.push(`    resource type ${rt.name}${rt.required ? ' (required)' : ''}: ${fmt}`)
    }
  }
  const pass = PASS_ROLE[key]
  if (pass) {
    lines.push(
      `  inferred iam:PassRole (infer:pass-role): on the role in ${pass.params.join(' / ')}${pass.instanceProfile ? ' (an instance profile, resolved to its role)' : ''}, condition iam:PassedToService = ${pass.passedTo}`,
      `  source: ${pass.ref}`,
    )
  }
  const tag = TAG_ON_CREATE[key]
  if (tag)
    lines.push(
      `  inferred ${tag.action} (infer:tag-on-create) when ${tag.params.join(' / ')} is not empty`,
      `  source: ${tag.ref}`,
    )
  if (eventSource === 'ec2.amazonaws.com')
    lines.push(
      '  inferred ec2:CreateTags (infer:tag-on-create) for each TagSpecification resource type, condition ec2:CreateAction',
    )
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
