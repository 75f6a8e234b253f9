import type { Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import type { EventMapper, EventMapping, MappedGrant } from './mapping.js'
import { servicePrefixOf } from './service-prefix.js'

/** Lambda appends its API version to event names: CreateFunction20150331, UpdateFunctionCode20150331v2. */
const LAMBDA_VERSION = /20\d{6}(v\d+)?$/

/**
 * The baseline mapper: eventSource → prefix, eventName → action of the same name, validated
 * against the Service Authorization Reference. Resource ARNs come from the event's `resources[]`
 * when the action takes resources. Anything unknown is reported as unmapped, never guessed.
 */
export function createBaselineMapper(catalog: Catalog): EventMapper {
  return {
    prefixesFor: (event) => [servicePrefixOf(event.eventSource)],
    map(event: CloudTrailEvent): EventMapping {
      const prefix = servicePrefixOf(event.eventSource)
      if (!catalog.service(prefix)) {
        return { kind: 'unmapped', reason: `no IAM service prefix '${prefix}' for ${event.eventSource}` }
      }
      let name = event.eventName
      if (prefix === 'lambda') name = name.replace(LAMBDA_VERSION, '')
      const action = catalog.action(prefix, name)
      if (!action) {
        return {
          kind: 'unmapped',
          reason: `no IAM action ${prefix}:${name} in the Service Authorization Reference`,
        }
      }
      const qualified = `${prefix}:${action.name}`
      const arns =
        action.resourceTypes.length === 0
          ? []
          : (event.resources ?? []).map((r) => r.ARN).filter((a): a is string => typeof a === 'string')
      const grants: MappedGrant[] = (arns.length > 0 ? arns : ['*']).map((resource) => ({
        action: qualified,
        resource,
        rule: 'sar:same-name',
      }))
      return { kind: 'mapped', grants, findings: [] }
    },
  }
}
