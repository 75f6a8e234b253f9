import type { ActionInfo, Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { accountOf, type EventValues, lookup, partitionOf } from './event-values.js'

/**
 * Builds the resource ARNs an action acted on, with the ARN formats of the action's resource types
 * from the Service Authorization Reference. Order of evidence: the event's `resources[]`, then any
 * ARN in the request or response that fits the format, then the format filled from request and
 * response fields. Nothing is invented: when a format cannot be filled the answer says why.
 */
export type Resolution = { arns: string[] } | { arns: ['*']; problem: string }

/** Format placeholders whose request field has another name. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  AccessPointName: ['name'],
  ClusterName: ['clusterName', 'cluster', 'clusters'],
  ServiceName: ['serviceName', 'service', 'services'],
  DBInstanceIdentifier: ['dBInstanceIdentifier', 'dbInstanceIdentifier'],
  DbInstanceName: ['dBInstanceIdentifier', 'dbInstanceIdentifier'],
  DbClusterInstanceName: ['dBClusterIdentifier', 'dbClusterIdentifier'],
  DbSubnetGroupName: ['dBSubnetGroupName', 'dbSubnetGroupName'],
  DbParameterGroupName: ['dBParameterGroupName', 'dbParameterGroupName'],
  SubnetGroupName: ['dBSubnetGroupName'],
  FunctionName: ['functionName'],
  GroupName: ['groupName'],
  GroupNameWithPath: ['groupName'],
  InstanceId: ['instanceId'],
  InstanceProfileNameWithPath: ['instanceProfileName'],
  KeyId: ['keyId', 'targetKeyId'],
  LogGroupName: ['logGroupName'],
  ObjectName: ['key'],
  ParameterNameWithoutLeadingSlash: ['name', 'names', 'path'],
  PolicyNameWithPath: ['policyName'],
  QueueName: ['queueName', 'queueUrl'],
  RoleNameWithPath: ['roleName'],
  RuleName: ['name', 'rule'],
  SecurityGroupId: ['groupId', 'securityGroupId'],
  StackName: ['stackName'],
  TrailName: ['name', 'trailName'],
  UserNameWithPath: ['userName'],
}

/** Placeholders that hold a generated id a request never carries; a wildcard there names no other resource type. */
const GENERATED = new Set(['Id', 'StackId'])
/** Names that may contain slashes (log groups, parameters, object keys, paths); others stop at '/' so bucket ≠ object. */
const PATH_LIKE =
  /Path$|ObjectName$|Key$|Prefix$|ParameterName|LogGroupName|LogStreamName|RepositoryName|SecretId/

interface CompiledFormat {
  format: string
  regex: RegExp
  placeholders: string[]
}

export class ArnResolver {
  private readonly compiled = new Map<string, CompiledFormat>()

  constructor(private readonly catalog: Catalog) {}

  resolve(prefix: string, action: ActionInfo, event: CloudTrailEvent, values: () => EventValues): Resolution {
    if (action.resourceTypes.length === 0) return { arns: ['*'] } as { arns: string[] }
    const required = action.resourceTypes.filter((r) => r.required)
    if (required.length > 1) {
      return {
        arns: ['*'],
        problem: `${prefix}:${action.name} authorizes ${required.length} resource types (${required.map((r) => r.name).join(', ')}) per call; granted on *`,
      }
    }
    const types = required.length === 1 ? required : action.resourceTypes
    for (const t of types) {
      const f = this.format(prefix, t.name)
      if (!f) continue
      const fromResources = (event.resources ?? [])
        .map((r) => r.ARN)
        .filter((a): a is string => typeof a === 'string' && f.regex.test(a))
      if (fromResources.length) return { arns: unique(fromResources) }
      const v = values()
      const fromValues = v.arns.filter((a) => f.regex.test(a))
      if (fromValues.length) return { arns: unique(fromValues) }
      const fromSubKinds = this.subKindArns(prefix, t.name, event, v)
      if (fromSubKinds.length) return { arns: fromSubKinds }
      const filled = this.fill(f, event, v)
      if (filled.length) return { arns: filled }
    }
    // All resource types optional on a List or Read call: it may act on no particular resource (a
    // Describe without a filter), and "*" is exactly what it needs.
    if (required.length === 0 && (action.accessLevel === 'List' || action.accessLevel === 'Read')) {
      return { arns: ['*'] } as { arns: string[] }
    }
    return {
      arns: ['*'],
      problem: `${prefix}:${action.name}: the event does not name its ${types.map((t) => t.name).join(' or ')}; granted on *`,
    }
  }

  /**
   * ARNs the event names of a sub-kind of the resource type: `loadbalancer/app/` for `loadbalancer`.
   * The reference lists ELB v1 and v2 under one prefix, and where their action names collide it keeps
   * v1's resource type; a v2 event names its load balancer's ARN, which only the sub-kind's format
   * matches. Only ARNs the event itself carries are taken, never a filled-in format.
   */
  private subKindArns(prefix: string, typeName: string, event: CloudTrailEvent, v: EventValues): string[] {
    const base = `${typeName.toLowerCase()}/`
    const kinds = [...(this.catalog.service(prefix)?.resourceTypes.keys() ?? [])].filter((k) =>
      k.startsWith(base),
    )
    const evidence = [
      ...(event.resources ?? []).map((r) => r.ARN).filter((a): a is string => typeof a === 'string'),
      ...v.arns,
    ]
    const out: string[] = []
    for (const k of kinds) {
      const f = this.format(prefix, k)
      if (f) out.push(...evidence.filter((a) => f.regex.test(a)))
    }
    return unique(out)
  }

  /** An ARN for a resource type from explicit values (used by inference rules). */
  build(
    prefix: string,
    resourceType: string,
    event: CloudTrailEvent,
    vars: Record<string, string>,
  ): string | undefined {
    const f = this.format(prefix, resourceType)
    if (!f) return undefined
    let out = f.format
    for (const p of f.placeholders) {
      const value = builtin(p, event) ?? vars[p]
      if (value === undefined) return undefined
      out = out.replace(`\${${p}}`, value)
    }
    return out
  }

  private fill(f: CompiledFormat, event: CloudTrailEvent, v: EventValues): string[] {
    let results = [f.format]
    for (const p of f.placeholders) {
      const fixed = builtin(p, event)
      let options: string[]
      if (fixed !== undefined) options = [fixed]
      else if (GENERATED.has(p)) options = ['*']
      else if (
        p === 'UserNameWithPath' &&
        lookup(v, ['userName']).length === 0 &&
        event.userIdentity?.type === 'IAMUser'
      ) {
        // IAM user calls without a userName act on the caller (GetUser, ListAccessKeys, …).
        options = [event.userIdentity.arn?.split(':user/')[1] ?? '']
        if (options[0] === '') return []
      } else {
        options = lookup(v, ALIASES[p] ?? [lowerFirst(p)])
          .filter((s) => s !== '' && !s.startsWith('arn:'))
          .map((s) => normalize(p, s, v))
        if (options.length === 0) return []
      }
      results = results.flatMap((r) => options.map((o) => r.replace(`\${${p}}`, o)))
    }
    return unique(results.filter((r) => f.regex.test(r)))
  }

  private format(prefix: string, resourceType: string): CompiledFormat | undefined {
    const key = `${prefix}\u0000${resourceType}`
    let c = this.compiled.get(key)
    if (!c) {
      const rt = this.catalog.service(prefix)?.resourceTypes.get(resourceType.toLowerCase())
      if (!rt) return undefined
      const placeholders = [...rt.arn.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!)
      const source = rt.arn
        .split(/(\$\{[A-Za-z0-9]+\})/)
        .map((part) => {
          const m = /^\$\{([A-Za-z0-9]+)\}$/.exec(part)
          if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          const name = m[1]!
          if (name === 'Partition' || name === 'Region' || name === 'Account') return '[^:]*'
          return PATH_LIKE.test(name) ? '.+' : '[^:/]+'
        })
        .join('')
      c = { format: rt.arn, regex: new RegExp(`^${source}$`), placeholders }
      this.compiled.set(key, c)
    }
    return c
  }
}

function builtin(p: string, event: CloudTrailEvent): string | undefined {
  if (p === 'Partition') return partitionOf(event)
  if (p === 'Region') return event.awsRegion
  if (p === 'Account') return accountOf(event)
  return undefined
}

function normalize(placeholder: string, value: string, v: EventValues): string {
  if (placeholder === 'ParameterNameWithoutLeadingSlash') return value.replace(/^\//, '')
  if (placeholder === 'QueueName') return value.split('/').pop() ?? value
  if (placeholder.endsWith('NameWithPath')) {
    const path = lookup(v, ['path'])[0]
    return path && path !== '/' ? `${path.replace(/^\//, '')}${value}` : value
  }
  return value
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1)
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)]
}
