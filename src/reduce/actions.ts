import type { Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { type Finding, finding } from '../findings.js'
import { collectValues, type EventValues, partitionOf } from './event-values.js'
import { Inference } from './implied.js'
import type { EventMapper, EventMapping, MappedGrant } from './mapping.js'
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
      return [prefix, 'iam', ...extra]
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
      if (prefix === 'apigateway') {
        const g = mapApiGateway(event, name, findings)
        if (!g) return { kind: 'unmapped', reason: `no API Gateway verb for ${name}` }
        grants = g
      } else {
        const rule = RENAMES[key]
        const specs: readonly ActionSpec[] = rule?.actions ?? [{ action: `${prefix}:${name}` }]
        const ruleId = rule ? `rename:${key.replace('.amazonaws.com', '')}` : 'sar:same-name'
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
            const src = copySource(event)
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
      grants.push(...inference.infer(key, event, values, findings))
      return { kind: 'mapped', grants, findings }
    },
  }
}

function mapApiGateway(event: CloudTrailEvent, name: string, findings: Finding[]): MappedGrant[] | undefined {
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
  return [{ action, resource: `arn:${partitionOf(event)}:apigateway:${event.awsRegion}::${call.path}`, rule }]
}

/** `x-amz-copy-source: bucket/key?versionId=…` → the source object's ARN. */
function copySource(event: CloudTrailEvent): string | undefined {
  const p = event.requestParameters ?? {}
  const raw = p['x-amz-copy-source'] ?? p.copySource
  if (typeof raw !== 'string' || raw === '') return undefined
  const path = decodeURIComponent(raw.split('?')[0]!).replace(/^\//, '')
  if (!path.includes('/')) return undefined
  return `arn:${partitionOf(event)}:s3:::${path}`
}
