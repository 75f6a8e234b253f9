import type { ActionInfo, Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { type Finding, finding } from '../findings.js'
import { accountOf, type EventValues, partitionOf } from './event-values.js'
import { iamLiteral } from './literal.js'
import type { MappedGrant } from './mapping.js'
import type { ModelAction } from './model/operation-model.js'
import type { ArnResolver } from './resources.js'

/** The ARN of a role named in the same partition and account as a call. */
export function roleArnOf(roleName: string, partition: string, account: string | undefined): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`
}

/**
 * Permissions no event shows, inferred from request parameters: iam:PassRole for calls that hand a
 * role to a service, tagging permissions for resources created with tags. Every grant names its rule.
 *
 * The instance-profile → role map is state: it learns from AddRoleToInstanceProfile events earlier
 * in the stream (inputs are read in time order for CloudTrail's own layout), so a RunInstances with a
 * profile created in the same recording resolves to the exact role.
 */
const HTTP_VERB = /^apigateway:(GET|POST|PUT|PATCH|DELETE)$/

export class Inference {
  private readonly profileRoles = new Map<string, string>()
  /**
   * How many times a mapping asked what the stream knows of an instance profile: a mapping that did
   * depends on the stream so far, and the mapper must not reuse it.
   */
  profileLookups = 0

  constructor(
    private readonly catalog: Catalog,
    private readonly resolver: ArnResolver,
  ) {}

  observe(event: CloudTrailEvent): void {
    if (event.errorCode || event.eventSource !== 'iam.amazonaws.com') return
    const p = event.requestParameters ?? {}
    if (
      (event.eventName === 'AddRoleToInstanceProfile' ||
        event.eventName === 'RemoveRoleFromInstanceProfile') &&
      typeof p.instanceProfileName === 'string' &&
      typeof p.roleName === 'string'
    ) {
      this.profileRoles.set(p.instanceProfileName, p.roleName)
    }
    // Responses that list a profile with its roles (GetInstanceProfile, ListInstanceProfilesForRole).
    const r = event.responseElements ?? {}
    const profiles = [r.instanceProfile, ...((r.instanceProfiles as unknown[]) ?? [])] as {
      instanceProfileName?: string
      roles?: { roleName?: string }[]
    }[]
    for (const prof of profiles) {
      const role = prof?.roles?.[0]?.roleName
      if (prof?.instanceProfileName && role) this.profileRoles.set(prof.instanceProfileName, role)
    }
  }

  /** The role ARN of an instance profile, once the stream has shown it. */
  profileRole(profile: string, like: CloudTrailEvent | undefined): string | undefined {
    const roleName = this.profileRoles.get(profile)
    if (!roleName || !like) return undefined
    return roleArnOf(roleName, partitionOf(like), accountOf(like))
  }

  /** Instance profile → role name, as far as the events so far showed. */
  learnedProfiles(): [string, string][] {
    return [...this.profileRoles]
  }

  /**
   * The model's non-primary actions for this call, each where its trigger is in the request:
   * iam:PassRole on the role a member names, the tagging action on the created resource when tags
   * are present, the other conditional actions (layers, object lock, a final snapshot, …).
   */
  infer(
    model: readonly ModelAction[] | undefined,
    key: string,
    event: CloudTrailEvent,
    values: () => EventValues,
    findings: Finding[],
    granted: ReadonlySet<string>,
    /** The resources the call's own action acts on: what a create tags. */
    own: ReadonlySet<string> = new Set(),
  ): MappedGrant[] {
    const grants: MappedGrant[] = []
    const service = key.replace('.amazonaws.com', '')
    for (const m of model ?? []) {
      if (granted.has(m.action.toLowerCase())) continue
      // API Gateway's verbs are alternatives by path, chosen by its own mapper (its named actions,
      // apigateway:RejectAccessAssociation, are granted like any other); elsewhere a primary
      // action our renames did not name (s3:GetObject for GetObjectAttributes) is still needed.
      if (m.purpose === 'primary' && service.startsWith('apigateway:') && HTTP_VERB.test(m.action)) continue
      const present = m.when === undefined ? undefined : triggered(event.requestParameters, m)
      if (m.purpose === 'pass-role') {
        grants.push(...this.passRole(m, `infer:pass-role:${service}`, event, present))
        continue
      }
      if (present !== undefined && present.length === 0) continue
      const id =
        m.purpose === 'tag'
          ? `infer:tag-on-create:${service}`
          : m.purpose === 'primary'
            ? 'sar:operation'
            : `model:${service}:${m.action}`
      grants.push(...this.resolveModelAction(m, id, event, values, findings, present, own))
    }
    return [...grants, ...this.ec2Tags(event)]
  }

  private resolveModelAction(
    m: ModelAction,
    id: string,
    event: CloudTrailEvent,
    values: () => EventValues,
    findings: Finding[],
    present: unknown[] | undefined,
    own: ReadonlySet<string>,
  ): MappedGrant[] {
    const [prefix, name] = m.action.split(':') as [string, string]
    const action = this.catalog.action(prefix, name)
    if (!action) return []
    const full = `${prefix}:${action.name}`
    if (m.resource === 'value') {
      const arns = [...new Set((present ?? []).filter((v): v is string => typeof v === 'string'))]
      if (arns.length > 0)
        return arns
          .filter((a) => a.startsWith('arn:'))
          .map((resource) => ({ action: full, resource, inferredBy: id, rule: id }))
    }
    if (m.resource === 'copy-source') {
      const src = copySourceArn(event)
      if (src) return [{ action: full, resource: src, inferredBy: id, rule: id }]
      findings.push(finding('resource.unresolved', `${full}: no copy source in the request; granted on *`))
      return [{ action: full, resource: '*', inferredBy: id, rule: id, unresolved: true }]
    }
    const r = this.resolver.resolve(
      prefix,
      action,
      event,
      values,
      m.resource === 'named',
      tagsAtCreate(m) ? createdTypes(action, event.eventName, own) : undefined,
    )
    const unresolved = 'problem' in r
    if (unresolved) findings.push(finding('resource.unresolved', r.problem))
    return r.arns.map((resource) => ({
      action: full,
      resource,
      inferredBy: id,
      rule: id,
      ...(unresolved ? { unresolved } : {}),
    }))
  }

  /**
   * iam:PassRole on each role the request names. `present` is what the model's role members hold;
   * when the model names no member (the role rides in a patch operation or an attribute map), any
   * role ARN in the request is the one passed.
   */
  private passRole(
    m: ModelAction,
    id: string,
    event: CloudTrailEvent,
    present: unknown[] | undefined,
  ): MappedGrant[] {
    const condition = m.condition
      ? {
          StringEquals: Object.fromEntries(
            Object.entries(m.condition).map(([k, v]) => [k, v.length === 1 ? v[0]! : [...v].sort()]),
          ),
        }
      : undefined
    const partition = partitionOf(event)
    const account = accountOf(event)
    // A role ARN anywhere in the request of a call that passes roles is a role it passes, whatever
    // the member is called (Cognito's SnsCallerArn, SNS attribute maps, API Gateway patches).
    const raws = [...(present ?? []), ...roleArnsIn(event.requestParameters)]
    const roles = new Set<string>()
    const grants: MappedGrant[] = []
    for (const raw of raws.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
      // A member that takes a role or an instance profile (Batch's instanceRole) may hold the profile.
      if (m.instanceProfile || (typeof raw === 'string' && INSTANCE_PROFILE_ARN.test(raw))) {
        this.profileLookups++
        const profile =
          typeof raw === 'string'
            ? raw
            : ((raw as Record<string, unknown>)?.arn ?? (raw as Record<string, unknown>)?.name)
        if (typeof profile !== 'string' || profile === '') continue
        const name = profile.split('/').pop()!
        const roleName = this.profileRoles.get(name)
        if (roleName) roles.add(roleArnOf(roleName, partition, account))
        // The profile's role may appear later in the stream; the reducer asks profileRole() at the end.
        else
          grants.push({
            action: 'iam:PassRole',
            resource: '*',
            ...(condition ? { condition } : {}),
            inferredBy: id,
            rule: id,
            unresolved: true,
            instanceProfile: name,
          })
        continue
      }
      if (typeof raw !== 'string' || raw === '') continue
      if (raw.startsWith('arn:')) {
        if (ROLE_ARN.test(raw)) roles.add(raw)
      } else if (!raw.includes(':')) roles.add(roleArnOf(raw.replace(/^\//, ''), partition, account))
    }
    for (const role of roles)
      grants.push({
        action: 'iam:PassRole',
        resource: role,
        ...(condition ? { condition } : {}),
        inferredBy: id,
        rule: id,
      })
    return grants
  }

  /** EC2 creates with TagSpecifications need ec2:CreateTags, scoped by ec2:CreateAction. */
  private ec2Tags(event: CloudTrailEvent): MappedGrant[] {
    if (event.eventSource !== 'ec2.amazonaws.com' || event.eventName === 'CreateTags') return []
    const specs = findParams(event.requestParameters, [
      'tagSpecificationSet',
      'TagSpecification',
      'tagSpecifications',
    ])
    const types = new Set<string>()
    for (const s of specs) {
      const items = Array.isArray(s)
        ? s
        : Array.isArray((s as { items?: unknown[] })?.items)
          ? (s as { items: unknown[] }).items
          : [s]
      for (const item of items) {
        const t =
          (item as { resourceType?: unknown; ResourceType?: unknown })?.resourceType ??
          (item as { ResourceType?: unknown })?.ResourceType
        if (typeof t === 'string') types.add(t)
      }
    }
    const id = 'infer:tag-on-create:ec2-tag-specifications'
    const partition = partitionOf(event)
    const account = accountOf(event)
    return [...types].sort().map((t) => ({
      action: 'ec2:CreateTags',
      resource: `arn:${partition}:ec2:${event.awsRegion}:${account}:${iamLiteral(t)}/*`,
      condition: { StringEquals: { 'ec2:CreateAction': event.eventName } },
      inferredBy: id,
      rule: id,
    }))
  }
}

/**
 * A tagging action triggered by the request's tags (not the tags a final snapshot copies): it tags
 * what the call creates.
 */
function tagsAtCreate(m: ModelAction): boolean {
  return m.purpose === 'tag' && (m.when ?? []).some((w) => /tag/i.test(w))
}

/**
 * The resource types of a tagging action that the call creates, by the noun of its name
 * (CreateService tags a `service`, CreateDistributionWithTags a `distribution`), so the tags of a
 * create never land on every type the tagging action takes (CloudFront's six id-only types) or on
 * the cluster it names. Only where the call's own action acts on that type, or on no resource at
 * all (wildcard-only): CreateChangeSet's own action is on the stack its tags go to, so there the
 * types the event names decide, as they do when no type has the noun's name.
 */
function createdTypes(action: ActionInfo, eventName: string, own: ReadonlySet<string>): string[] | undefined {
  const noun = /^[A-Z][a-z]+([A-Z][A-Za-z]*?)(WithTags)?(\d{8}(v\d+)?)?$/.exec(eventName)?.[1]?.toLowerCase()
  if (!noun) return undefined
  const flat = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  const types = action.resourceTypes.filter((t) => flat(t.name) === noun).map((t) => t.name)
  if (types.length === 0) return undefined
  const onNoun = [...own].some((arn) => {
    const resource = arn.split(':').slice(5).join(':')
    return types.some((t) => resource.startsWith(`${t}/`) || resource.startsWith(`${t}:`))
  })
  return own.size === 0 || onNoun ? types : undefined
}

/** Values of the named fields anywhere in the request (case-insensitive), depth-first. */
function findParams(params: unknown, names: readonly string[]): unknown[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()))
  const out: unknown[] = []
  const visit = (v: unknown, depth: number) => {
    if (depth > 6 || v === null || typeof v !== 'object') return
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1)
      return
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      if (wanted.has(k.toLowerCase())) out.push(child)
      else visit(child, depth + 1)
    }
  }
  visit(params, 0)
  return out
}

/** A member counts as present when it carries something: `false`, `""`, `[]` and `{}` do not. */
function present(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0
  if (v && typeof v === 'object') return Object.keys(v).length > 0
  if (typeof v === 'string') return v !== ''
  return v === true || typeof v === 'number'
}

/** The model's trigger patterns, compiled once. */
const PATTERNS = new Map<string, RegExp>()

/** The values of the model's trigger members that are present (and match its pattern, if any). */
function triggered(params: unknown, m: ModelAction): unknown[] {
  const found = findParams(params, m.when ?? []).filter(present)
  if (!m.match) return found
  let re = PATTERNS.get(m.match)
  if (!re) {
    re = new RegExp(m.match)
    PATTERNS.set(m.match, re)
  }
  return found.filter((v) => typeof v === 'string' && re.test(v))
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\//
const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\//

/** Every role ARN anywhere in the request (bounded depth), for PassRole whose member the model lacks. */
function roleArnsIn(params: unknown): string[] {
  const out: string[] = []
  const visit = (v: unknown, depth: number) => {
    if (depth > 8) return
    if (typeof v === 'string') {
      if (ROLE_ARN.test(v)) out.push(v)
    } else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1)
    else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x, depth + 1)
  }
  visit(params, 0)
  return out
}

/** `x-amz-copy-source: bucket/key?versionId=…` → the source object's ARN. */
export function copySourceArn(event: CloudTrailEvent): string | undefined {
  const p = event.requestParameters ?? {}
  const raw = p['x-amz-copy-source'] ?? p.copySource ?? p.CopySource
  if (typeof raw !== 'string' || raw === '') return undefined
  let path: string
  try {
    path = decodeURIComponent(raw.split('?')[0]!).replace(/^\//, '')
  } catch {
    return undefined
  }
  if (!path.includes('/')) return undefined
  return `arn:${partitionOf(event)}:s3:::${path}`
}
