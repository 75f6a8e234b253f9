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
  // What depends on the operation alone, worked out once per operation, not once per event: a
  // deploy repeats a few dozen operations thousands of times.
  const prefixesOf = new Map<string, readonly string[]>()
  const primaryOf = new Map<string, PrimaryActions>()
  const memo = new Map<string, EventMapping>()
  return {
    profileRole: (profile, like) => inference.profileRole(profile, like),
    learnedProfiles: () => inference.learnedProfiles(),
    prefixesFor(event) {
      const op = `${event.eventSource}:${event.eventName}`
      let prefixes = prefixesOf.get(op)
      if (!prefixes) {
        const prefix = servicePrefixOf(event.eventSource)
        const name = normalizedEventName(event)
        const extra =
          RENAMES[`${event.eventSource}:${name}`]?.actions.map((a) => a.action.split(':')[0]!) ?? []
        prefixes = [...new Set([prefix, 'iam', ...extra, ...modelPrefixes(prefix, name)])]
        prefixesOf.set(op, prefixes)
      }
      return prefixes
    },
    map(event: CloudTrailEvent): EventMapping {
      const excluded = exclusionFor(event)
      if (excluded) return { kind: 'excluded', rule: excluded.id, reason: excluded.reason }
      inference.observe(event)
      const memoKey = memoKeyOf(event)
      const hit = memoKey === undefined ? undefined : memo.get(memoKey)
      if (hit) return hit
      const lookups = inference.profileLookups
      const mapping = mapOnce(event)
      // A mapping that asked about an instance profile depends on what the stream has learned of it
      // so far (its role may come later, or change between two calls): never reused.
      if (memoKey !== undefined && inference.profileLookups === lookups) {
        if (memo.size >= MEMO_ENTRIES) memo.clear()
        memo.set(memoKey, mapping)
      }
      return mapping
    },
  }

  function mapOnce(event: CloudTrailEvent): EventMapping {
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
      // The catalog only grows (services load on demand), so an answer once given stays right.
      let primary = primaryOf.get(key)
      if (!primary) {
        primary = primaryActions(catalog, event.eventSource, name, model)
        primaryOf.set(key, primary)
      }
      const { specs, ruleId } = primary
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
        const named = spec.member ? event.requestParameters?.[spec.member] : undefined
        if (typeof named === 'string' && named.startsWith('arn:')) {
          grants.push({ action, resource: named, rule: ruleId })
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
  }
}

/**
 * Deploys repeat the same call many times (CloudFormation and Terraform poll Describe* with the same
 * request until a resource is ready), and a mapping depends only on what the call was, so one worked
 * out is reused. Bounded: the memo is dropped when full, so memory does not grow with the events.
 */
const MEMO_ENTRIES = 4096
/** Beyond this, the key costs more to build and keep than mapping again. */
const MEMO_KEY_CHARS = 4096

/**
 * Everything of an event a mapping reads (never its time or id), or undefined when the call is not
 * worth remembering. IAM's instance-profile calls teach the stream roles, so each is mapped afresh.
 */
function memoKeyOf(event: CloudTrailEvent): string | undefined {
  if (event.eventSource === 'iam.amazonaws.com') return undefined
  const u = event.userIdentity
  const key = JSON.stringify([
    event.eventSource,
    event.eventName,
    event.eventType,
    event.awsRegion,
    event.recipientAccountId,
    u?.type,
    u?.arn,
    u?.accountId,
    u?.sessionContext?.sessionIssuer?.arn,
    event.errorCode,
    event.errorMessage,
    event.requestParameters,
    event.responseElements,
    event.resources,
  ])
  return key.length > MEMO_KEY_CHARS ? undefined : key
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
