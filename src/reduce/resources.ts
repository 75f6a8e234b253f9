import type { ActionInfo, Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { accountOf, type EventValues, lookup, partitionOf } from './event-values.js'
import { iamLiteral } from './literal.js'

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
  // A KMS alias ARN ends in the alias name itself (`…:alias/orders`), which the request calls aliasName.
  Alias: ['aliasName'],
  AlarmName: ['alarmName', 'alarmNames'],
  WorkGroupName: ['workGroup', 'workGroupName', 'name'],
  GroupFriendlyName: ['autoScalingGroupName', 'autoScalingGroupNames'],
  ClusterSnapshotName: ['dBClusterSnapshotIdentifier', 'dbClusterSnapshotIdentifier'],
  ClusterName: ['clusterName', 'cluster', 'clusters'],
  ServiceName: ['serviceName', 'service', 'services'],
  DBInstanceIdentifier: ['dBInstanceIdentifier', 'dbInstanceIdentifier'],
  DbInstanceName: ['dBInstanceIdentifier', 'dbInstanceIdentifier'],
  DbClusterInstanceName: ['dBClusterIdentifier', 'dbClusterIdentifier'],
  DbSubnetGroupName: ['dBSubnetGroupName', 'dbSubnetGroupName'],
  DocumentName: ['documentName', 'name'],
  DbParameterGroupName: ['dBParameterGroupName', 'dbParameterGroupName'],
  SubnetGroupName: ['dBSubnetGroupName'],
  // A DynamoDB restore writes into the table it creates (its item actions), named targetTableName.
  TableName: ['tableName', 'targetTableName'],
  FunctionName: ['functionName'],
  GroupName: ['groupName'],
  GroupNameWithPath: ['groupName'],
  InstanceId: ['instanceId', 'instanceIds', 'target', 'targets'],
  InstanceProfileNameWithPath: ['instanceProfileName'],
  KeyId: ['keyId', 'targetKeyId'],
  KeyPairName: ['keyName'],
  LogGroupName: ['logGroupName'],
  NaclId: ['networkAclId'],
  ObjectName: ['key'],
  ParameterNameWithoutLeadingSlash: ['name', 'names', 'path'],
  PolicyNameWithPath: ['policyName'],
  QueueName: ['queueName', 'queueUrl'],
  RoleNameWithPath: ['roleName'],
  RuleName: ['name', 'rule'],
  SecurityGroupId: ['groupId', 'securityGroupId'],
  SnapshotName: ['dBSnapshotIdentifier', 'dbSnapshotIdentifier', 'finalDBSnapshotIdentifier'],
  StackName: ['stackName'],
  TrailName: ['name', 'trailName'],
  UserNameWithPath: ['userName'],
  VpcFlowLogId: ['flowLogId', 'flowLogIds'],
}

/**
 * Ids whose shape says which resource type they are: one request member (SSM's `target`) may hold
 * an EC2 instance, a managed instance or an ECS task, and only the matching format may take it.
 */
const ID_SHAPES: readonly { format: string; placeholder: string; shape: RegExp }[] = [
  { format: ':ec2:${Region}:${Account}:instance/', placeholder: 'InstanceId', shape: /^i-[0-9a-f]{8,17}$/ },
  {
    format: ':ssm:${Region}:${Account}:managed-instance/',
    placeholder: 'InstanceId',
    shape: /^mi-[0-9a-f]{8,17}$/,
  },
]

/**
 * Documents AWS owns have no account in their ARN (`arn:aws:ssm:us-east-1::document/AWS-RunShellScript`):
 * an ARN with the caller's account never matches them. botocore's CreateDocument documents the
 * prefixes reserved for AWS's own documents (aws, amazon, amzn, AWSEC2, AWSConfigRemediation,
 * AWSSupport), and the Systems Manager user guide says to leave the account out for them.
 */
const AWS_OWNED: readonly { format: string; placeholder: string; names: RegExp }[] = [
  {
    format: ':ssm:${Region}:${Account}:document/',
    placeholder: 'DocumentName',
    names: /^(aws|amazon|amzn)/i,
  },
]

/** Per action: members that name a placeholder only there, and values AWS uses when one is left out. */
const ACTION_MEMBERS: Readonly<
  Record<
    string,
    {
      aliases?: Readonly<Record<string, readonly string[]>>
      defaults?: Readonly<Record<string, string>>
      /** Ids the call itself makes up: new on every run, so the grant is on any (`*`). */
      generated?: readonly string[]
    }
  >
> = {
  // The final snapshot of a deleted cluster is a cluster snapshot (of an instance, a DB snapshot).
  'rds:DeleteDBCluster': { aliases: { ClusterSnapshotName: ['finalDBSnapshotIdentifier'] } },
  'rds:CreateDBClusterSnapshot': { aliases: { ClusterSnapshotName: ['dBClusterSnapshotIdentifier'] } },
  // A point-in-time restore is authorized on the table it restores from; its writes on the new one.
  'dynamodb:RestoreTableToPointInTime': { aliases: { TableName: ['sourceTableName'] } },
  // StartSession without a document runs Session Manager's default shell document, and IAM
  // evaluates that document's ARN as well as the instance's.
  'ssm:StartSession': { defaults: { DocumentName: 'SSM-SessionManagerRunShell' } },
  // An automation is authorized on its runbook and on the execution it starts, whose id the
  // response makes up (the Systems Manager user guide grants automation-execution/* with it).
  'ssm:StartAutomationExecution': { generated: ['AutomationExecutionId'] },
  // A named StartExecution is idempotent: Step Functions looks up the execution of that name.
  'states:DescribeExecution': { aliases: { ExecutionId: ['name'] } },
  'ssm:StartChangeRequestExecution': { generated: ['AutomationExecutionId'] },
}

/**
 * Bedrock model ids name their kind by shape: a geography prefix (`us.`, `eu.`, …) is a
 * cross-region inference profile, which also needs the foundation model in every region it routes
 * to; anything else is a foundation model of the call's region.
 */
const INFERENCE_PROFILE_ID = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(.+)$/

/** Placeholders that hold a generated id a request never carries; a wildcard there names no other resource type. */
const GENERATED = new Set(['Id', 'StackId'])
/**
 * Generated ids of one format only: an Auto Scaling group's ARN holds a UUID AWS gives it next to
 * the name the request uses (`autoScalingGroup:*:autoScalingGroupName/web`, as the EC2 Auto
 * Scaling user guide writes its policies); elsewhere `${GroupId}` is a name the request carries.
 */
const GENERATED_IN: readonly { format: string; placeholder: string }[] = [
  { format: ':autoscaling:${Region}:${Account}:autoScalingGroup:', placeholder: 'GroupId' },
]
/** Names that may contain slashes (log groups, parameters, object keys, paths); others stop at '/' so bucket ≠ object. */
const PATH_LIKE =
  /^Alias$|Path$|ObjectName$|Key$|Prefix$|ParameterName|LogGroupName|LogStreamName|RepositoryName|SecretId/

interface CompiledFormat {
  format: string
  regex: RegExp
  placeholders: string[]
}

export class ArnResolver {
  private readonly compiled = new Map<string, CompiledFormat>()

  constructor(private readonly catalog: Catalog) {}

  /**
   * `namesOnly`: build the ARNs from the names in the request, never take an ARN from it (a
   * restore's item actions act on the table it creates, not on the source table its ARN names).
   */
  resolve(
    prefix: string,
    action: ActionInfo,
    event: CloudTrailEvent,
    values: () => EventValues,
    namesOnly = false,
    /** Only these resource types (tag-on-create: the type the call creates). */
    onlyTypes?: readonly string[],
  ): Resolution {
    if (action.resourceTypes.length === 0) return { arns: ['*'] } as { arns: string[] }
    const all = onlyTypes
      ? action.resourceTypes.filter((r) => onlyTypes.includes(r.name))
      : action.resourceTypes
    const required = all.filter((r) => r.required)
    const types = required.length > 0 ? required : all
    // With required types, the optional ones the event names by an unambiguous id (SendCommand's
    // instances next to its document) are evaluated too.
    const optional = required.length > 0 ? all.filter((r) => !r.required) : []
    if (prefix === 'bedrock') {
      const models = this.bedrockModels(action, event, values())
      if (models.length) return { arns: models }
    }
    // Every resource type the event names is evaluated (an instance and its document, a bucket's
    // object and access point): the grant covers each that resolves.
    const resolved: string[] = []
    const missing: string[] = []
    for (const t of types) {
      const arns = this.resolveType(prefix, t.name, action.name, event, values, false, namesOnly)
      if (arns.length) resolved.push(...arns)
      else missing.push(t.name)
    }
    for (const t of optional)
      resolved.push(...this.resolveType(prefix, t.name, action.name, event, values, true))
    // EC2 marks as required every resource type one call touches together (RunInstances: instance,
    // volume, network interface, subnet, …), most of which the request never names; elsewhere the
    // required types are alternatives (a Bedrock model, a profile or an endpoint), one per call.
    if (prefix === 'ec2' && required.length > 1 && missing.length > 0) {
      return {
        arns: ['*'],
        problem: `${prefix}:${action.name} authorizes ${required.length} resource types (${fewNames(
          required.map((r) => r.name),
          'and',
        )}) per call and the event names only some; granted on *`,
      }
    }
    if (resolved.length) return { arns: unique(resolved) }
    // All resource types optional on a List or Read call: it may act on no particular resource (a
    // Describe without a filter), and "*" is exactly what it needs.
    if (required.length === 0 && (action.accessLevel === 'List' || action.accessLevel === 'Read')) {
      return { arns: ['*'] } as { arns: string[] }
    }
    return {
      arns: ['*'],
      problem: `${prefix}:${action.name}: the event does not name its ${fewNames(
        types.map((t) => t.name),
        'or',
      )}; granted on *`,
    }
  }

  private resolveType(
    prefix: string,
    typeName: string,
    actionName: string,
    event: CloudTrailEvent,
    values: () => EventValues,
    byIdOnly = false,
    namesOnly = false,
  ): string[] {
    const f = this.format(prefix, typeName)
    if (!f) return []
    if (byIdOnly && !ID_SHAPES.some((s) => f.format.includes(s.format))) return []
    if (prefix === 'events' && !onItsBus(typeName, values())) return []
    if (namesOnly) return this.fill(f, event, values(), ACTION_MEMBERS[`${prefix}:${actionName}`])
    const fromResources = (event.resources ?? [])
      .map((r) => r.ARN)
      .filter((a): a is string => typeof a === 'string' && f.regex.test(a))
    if (fromResources.length) return unique(fromResources)
    const v = values()
    const fromValues = v.arns.filter((a) => f.regex.test(a))
    if (fromValues.length) return unique(fromValues)
    const fromSubKinds = this.subKindArns(prefix, typeName, event, v)
    if (fromSubKinds.length) return fromSubKinds
    return this.fill(f, event, v, ACTION_MEMBERS[`${prefix}:${actionName}`])
  }

  /** The foundation model or inference profile a Bedrock call's modelId names. */
  private bedrockModels(action: ActionInfo, event: CloudTrailEvent, v: EventValues): string[] {
    const ids = lookup(v, ['modelId', 'modelIdentifier']).filter((id) => !id.startsWith('arn:'))
    const has = (t: string) => action.resourceTypes.some((r) => r.name === t)
    if (ids.length === 0 || !has('foundation-model')) return []
    const partition = partitionOf(event)
    const out: string[] = []
    for (const id of ids) {
      const profile = INFERENCE_PROFILE_ID.exec(id)
      if (profile && has('inference-profile')) {
        out.push(
          `arn:${partition}:bedrock:${event.awsRegion}:${accountOf(event)}:inference-profile/${id}`,
          // The profile routes to any region of its geography, chosen per request by Bedrock.
          `arn:${partition}:bedrock:*::foundation-model/${profile[2]}`,
        )
      } else out.push(`arn:${partition}:bedrock:${event.awsRegion}::foundation-model/${id}`)
    }
    return unique(out)
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

  private fill(
    f: CompiledFormat,
    event: CloudTrailEvent,
    v: EventValues,
    extra: (typeof ACTION_MEMBERS)[string] | undefined,
  ): string[] {
    const shape = ID_SHAPES.find((s) => f.format.includes(s.format))
    let results = [f.format]
    for (const p of f.placeholders) {
      const fixed = builtin(p, event)
      let options: string[]
      if (fixed !== undefined) options = [fixed]
      else if (p === 'Id' && typedId(f.format, v).length > 0) options = typedId(f.format, v).map(iamLiteral)
      else if (p.startsWith('TaskDefinition') && taskDefinitions(v).length > 0)
        options = taskDefinitions(v).map((t) =>
          p === 'TaskDefinitionFamilyName' ? iamLiteral(t.family) : t.revision,
        )
      else if (
        GENERATED.has(p) ||
        extra?.generated?.includes(p) ||
        GENERATED_IN.some((g) => g.placeholder === p && f.format.includes(g.format))
      )
        options = ['*']
      else if (
        p === 'UserNameWithPath' &&
        lookup(v, ['userName']).length === 0 &&
        event.userIdentity?.type === 'IAMUser'
      ) {
        // IAM user calls without a userName act on the caller (GetUser, ListAccessKeys, …).
        options = [event.userIdentity.arn?.split(':user/')[1] ?? '']
        if (options[0] === '') return []
      } else {
        options = lookup(v, [...(extra?.aliases?.[p] ?? []), ...(ALIASES[p] ?? [lowerFirst(p)])])
          .filter((s) => s !== '' && !s.startsWith('arn:'))
          .filter((s) => shape?.placeholder !== p || shape.shape.test(s))
          .map((s) => iamLiteral(normalize(p, s, v)))
        const fallback = extra?.defaults?.[p]
        if (options.length === 0 && fallback !== undefined) options = [fallback]
        if (options.length === 0) options = ownName(p, event).map(iamLiteral)
        if (options.length === 0) options = nameInArn(p, v.arns).map(iamLiteral)
        if (options.length === 0) return []
      }
      const owned = AWS_OWNED.find((o) => o.placeholder === p && f.format.includes(o.format))
      results = results.flatMap((r) =>
        options.map((o) => {
          const arn = r.replace(`\${${p}}`, o)
          return owned?.names.test(o) ? arn.replace(/^(arn:[^:]*:[^:]*:[^:]*:)[^:]*:/, '$1:') : arn
        }),
      )
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

/**
 * The name a call gives the resource its own name is about, when the request calls it just `name`:
 * CreateStateMachine's top-level `name` for `${StateMachineName}`, CreatePipeline's `pipeline.name`
 * for `${PipelineName}`. Only where the placeholder is the operation's noun, so a `name` that names
 * something else (a stage, a tag) never fills it.
 */
function ownName(placeholder: string, event: CloudTrailEvent): string[] {
  const m = /^(.+)Name$/.exec(placeholder)
  const noun = /^[A-Z][a-z]+([A-Z].*?)s?(\d{8})?$/.exec(event.eventName)?.[1]
  // UpdateClusterConfig and UpdateClusterVersion act on the cluster their `name` names.
  const own = noun?.replace(/(Config|Configuration|Version|Settings|Status)$/, '')
  if (
    !m ||
    !noun ||
    (m[1]!.toLowerCase() !== noun.toLowerCase() && m[1]!.toLowerCase() !== own?.toLowerCase())
  )
    return []
  const req = (event.requestParameters ?? {}) as Record<string, unknown>
  const nested = req[lowerFirst(noun)]
  const name =
    typeof req.name === 'string'
      ? req.name
      : nested && typeof nested === 'object'
        ? (nested as Record<string, unknown>).name
        : undefined
  return typeof name === 'string' && name !== '' ? [name] : []
}

/**
 * An EventBridge rule's ARN has its bus in it only on a custom bus: a request on the default bus
 * (no eventBusName, `default`, or the default bus's ARN) names `rule/<name>`, any other `rule/<bus>/<name>`.
 */
function onItsBus(typeName: string, v: EventValues): boolean {
  if (typeName !== 'rule-on-default-event-bus' && typeName !== 'rule-on-custom-event-bus') return true
  const bus = lookup(v, ['eventBusName'])[0]
  const isDefault = bus === undefined || bus === 'default' || /:event-bus\/default$/.test(bus)
  return (typeName === 'rule-on-default-event-bus') === isDefault
}

/**
 * A bare `${Id}` is the id of the format's own type, which the request names `<type>Id`
 * (`hostedzone/${Id}` ← hostedZoneId, `healthcheck/${Id}` ← healthCheckId); only when the request
 * has none is it an id AWS makes up.
 */
function typedId(format: string, v: EventValues): string[] {
  const type = /([A-Za-z-]+)[/:]\$\{Id\}/.exec(format)?.[1]
  if (!type) return []
  return lookup(v, [`${type.replace(/-/g, '')}Id`]).filter((id) => id !== '' && !id.startsWith('arn:'))
}

/**
 * ECS names a task definition `family:revision`, or just `family` for its latest revision (which the
 * request does not say: any revision of the family).
 */
function taskDefinitions(v: EventValues): { family: string; revision: string }[] {
  return lookup(v, ['taskDefinition', 'family'])
    .filter((t) => t !== '' && !t.startsWith('arn:'))
    .map((t) => {
      const [family, revision] = t.split(':')
      return { family: family!, revision: revision && /^\d+$/.test(revision) ? revision : '*' }
    })
}

/**
 * `${StateMachineName}` from the state machine's ARN the request carries (`…:stateMachine:flow`):
 * the name of a resource whose ARN the call names, for another resource type built from it (an
 * execution of that state machine).
 */
function nameInArn(placeholder: string, arns: readonly string[]): string[] {
  const m = /^(.+)Name$/.exec(placeholder)
  if (!m) return []
  const kind = m[1]!.toLowerCase()
  const out: string[] = []
  for (const arn of arns) {
    const r = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:([A-Za-z-]+)[:/]([^:/]+)$/.exec(arn)
    if (r && r[1]!.toLowerCase().replace(/-/g, '') === kind) out.push(r[2]!)
  }
  return unique(out)
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
  if (placeholder === 'Alias') return value.replace(/^alias\//, '')
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

/**
 * A finding names a few resource types, not all of them: ec2:CreateTags has ~120 and its warning
 * would fill the screen. The full list is in `iamtrail explain`.
 */
function fewNames(names: readonly string[], conj: 'and' | 'or', shown = 4): string {
  if (names.length <= shown) return names.join(` ${conj} `)
  return `${names.slice(0, shown).join(', ')} ${conj} ${names.length - shown} more`
}
