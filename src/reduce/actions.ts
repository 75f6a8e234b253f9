import type { Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { type Finding, finding } from '../findings.js'
import { collectValues, type EventValues, partitionOf } from './event-values.js'
import { copySourceArn, Inference } from './implied.js'
import { escapeEventNames } from './literal.js'
import type { EventMapper, EventMapping, MappedGrant } from './mapping.js'
import { modelPrefixes, operationModel } from './model/lookup.js'
import type { ModelAction } from './model/operation-model.js'
import { ArnResolver } from './resources.js'
import { apiGatewayCall } from './rules/apigateway.js'
import { EXCLUSIONS, type ExclusionRule } from './rules/exclusions.js'
import { type ActionSpec, RENAMES } from './rules/renames.js'
import { servicePrefixOf } from './service-prefix.js'

/**
 * Lambda appends API versions to event names (CreateFunction20150331, UpdateFunctionCode20150331v2,
 * ListTags20170331). Only this date pattern is stripped, and only for Lambda: names that end in
 * digits for other reasons (CreateEnvironmentEC2) are left alone.
 */
const LAMBDA_VERSION = /20[12]\d[01]\d[0-3]\d(v\d+)?$/

const byType = new Map<string, ExclusionRule>()
const bySource = new Map<string, ExclusionRule>()
const byCall = new Map<string, ExclusionRule>()
for (const r of EXCLUSIONS) {
  if (r.eventType) byType.set(r.eventType, r)
  else if (r.eventName) byCall.set(`${r.eventSource}:${r.eventName}`, r)
  else if (r.eventSource) bySource.set(r.eventSource, r)
}

export function exclusionFor(event: CloudTrailEvent): ExclusionRule | undefined {
  return (
    (event.eventType ? byType.get(event.eventType) : undefined) ??
    byCall.get(`${event.eventSource}:${event.eventName}`) ??
    bySource.get(event.eventSource)
  )
}

export function normalizedEventName(event: CloudTrailEvent): string {
  return event.eventSource === 'lambda.amazonaws.com'
    ? event.eventName.replace(LAMBDA_VERSION, '')
    : event.eventName
}

/** How an operation's own actions are chosen, and the rule id that says so. */
export interface PrimaryActions {
  specs: readonly ActionSpec[]
  ruleId: string
}

/**
 * The operation's own actions: our CloudTrail renames first (they know event names and copy
 * sources), then the model's primary actions (the operation's own action under another name), then
 * the same name. An operation the model knows but that has no action of its own (Lambda's
 * AddEventSource authorizes only iam:PassRole) has none: the model's other actions carry it.
 * Shared by the mapper and `explain`, so what explain says is what the mapper does.
 */
export function primaryActions(
  catalog: Catalog,
  eventSource: string,
  name: string,
  model: readonly ModelAction[] | undefined,
): PrimaryActions {
  const prefix = servicePrefixOf(eventSource)
  const key = `${eventSource}:${name}`
  if (Object.hasOwn(RENAMES, key))
    return { specs: RENAMES[key]!.actions, ruleId: `rename:${key.replace('.amazonaws.com', '')}` }
  const primary = model?.filter((m) => m.purpose === 'primary').map((m) => ({ action: m.action })) ?? []
  if (primary.length > 0) {
    const same = primary.length === 1 && primary[0]!.action === `${prefix}:${name}`
    return { specs: primary, ruleId: same ? 'sar:same-name' : 'sar:operation' }
  }
  if (model !== undefined && !catalog.action(prefix, name)) return { specs: [], ruleId: 'sar:operation' }
  return { specs: [{ action: `${prefix}:${name}` }], ruleId: 'sar:same-name' }
}

/**
 * The mapper: eventSource/eventName → IAM actions (our CloudTrail rules first, then the action of
 * the same name), each validated against the Service Authorization Reference, with resource ARNs
 * and the permissions no event shows. Anything unknown is unmapped with a reason, never guessed.
 */
export function createEventMapper(catalog: Catalog): EventMapper {
  const resolver = new ArnResolver(catalog)
  const inference = new Inference(catalog, resolver)
  return {
    profileRole: (profile, like) => inference.profileRole(profile, like),
    learnedProfiles: () => inference.learnedProfiles(),
    prefixesFor(event) {
      const prefix = servicePrefixOf(event.eventSource)
      const key = `${event.eventSource}:${normalizedEventName(event)}`
      const extra = RENAMES[key]?.actions.map((a) => a.action.split(':')[0]!) ?? []
      return [...new Set([prefix, 'iam', ...extra, ...modelPrefixes(prefix, normalizedEventName(event))])]
    },
    map(event: CloudTrailEvent): EventMapping {
      const excluded = exclusionFor(event)
      if (excluded) return { kind: 'excluded', rule: excluded.id, reason: excluded.reason }
      inference.observe(event)
      const prefix = servicePrefixOf(event.eventSource)
      if (!catalog.service(prefix)) {
        return {
          kind: 'unmapped',
          reason: `unknown eventSource ${event.eventSource}: no IAM service prefix '${prefix}'`,
        }
      }
      const name = normalizedEventName(event)
      const key = `${event.eventSource}:${name}`
      let cached: EventValues | undefined
      const values = () => {
        cached ??= collectValues(event)
        return cached
      }
      const findings: Finding[] = []
      let grants: MappedGrant[]
      const model = operationModel(prefix, name)
      if (prefix === 'apigateway') {
        const g = mapApiGateway(event, name, findings, model)
        // A call with no verb route may still be authorized by a named action of the model
        // (RejectDomainNameAccessAssociation by apigateway:RejectAccessAssociation).
        const named = model?.some((m) => m.purpose === 'primary' && !/^apigateway:[A-Z]+$/.test(m.action))
        if (!g && !named) return { kind: 'unmapped', reason: `no API Gateway verb for ${name}` }
        grants = g ?? []
      } else {
        const { specs, ruleId } = primaryActions(catalog, event.eventSource, name, model)
        grants = []
        for (const spec of specs) {
          const [p, a] = spec.action.split(':') as [string, string]
          const info = catalog.action(p, a)
          if (!info)
            return {
              kind: 'unmapped',
              reason: `no IAM action ${p}:${a} in the Service Authorization Reference`,
            }
          const action = `${p}:${info.name}`
          if (spec.resource === 'copy-source') {
            const src = copySourceArn(event)
            if (!src)
              findings.push(
                finding('resource.unresolved', `${action}: no copy source in the request; granted on *`),
              )
            grants.push(
              src
                ? { action, resource: src, rule: ruleId }
                : { action, resource: '*', rule: ruleId, unresolved: true },
            )
            continue
          }
          const r = resolver.resolve(p, info, event, values)
          if ('problem' in r) {
            findings.push(finding('resource.unresolved', r.problem))
            grants.push({ action, resource: '*', rule: ruleId, unresolved: true })
          } else for (const resource of r.arns) grants.push({ action, resource, rule: ruleId })
        }
      }
      const granted = new Set(grants.map((g) => g.action.toLowerCase()))
      const own = new Set(grants.map((g) => g.resource).filter((r) => r !== '*'))
      grants.push(...inference.infer(model, key, event, values, findings, granted, own))
      return { kind: 'mapped', grants: escapeEventNames(event, grants), findings }
    },
  }
}

function mapApiGateway(
  event: CloudTrailEvent,
  name: string,
  findings: Finding[],
  model: readonly ModelAction[] | undefined,
): MappedGrant[] | undefined {
  const call = apiGatewayCall(name, event.requestParameters)
  if (!call) return undefined
  const action = `apigateway:${call.verb}`
  const rule = 'apigateway:verb-on-path'
  if (!call.path) {
    findings.push(
      finding(
        'resource.unresolved',
        `${action} for ${name}: the request lacks a field of the resource path; granted on *`,
      ),
    )
    return [{ action, resource: '*', rule, unresolved: true }]
  }
  const resource = `arn:${partitionOf(event)}:apigateway:${event.awsRegion}::${call.path}`
  const grants: MappedGrant[] = [{ action, resource, rule }]
  // A create that carries tags also needs apigateway:PUT, the tagging verb: the SAR's operation
  // table lists it beside the create's POST.
  const tags = (event.requestParameters as Record<string, unknown> | null | undefined)?.tags
  const tagged = tags !== null && typeof tags === 'object' && Object.keys(tags).length > 0
  if (call.verb === 'POST' && tagged && model?.some((m) => m.action === 'apigateway:PUT')) {
    const id = 'infer:tag-on-create:apigateway'
    grants.push({ action: 'apigateway:PUT', resource, rule: id, inferredBy: id })
  }
  return grants
}
