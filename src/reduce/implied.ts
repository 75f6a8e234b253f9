import type { Catalog } from '../catalog/catalog.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { type Finding, finding } from '../findings.js'
import { accountOf, type EventValues, partitionOf } from './event-values.js'
import type { MappedGrant } from './mapping.js'
import type { ArnResolver } from './resources.js'
import { PASS_ROLE } from './rules/pass-role.js'
import { TAG_ON_CREATE } from './rules/tag-on-create.js'

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
export class Inference {
  private readonly profileRoles = new Map<string, string>()

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

  infer(key: string, event: CloudTrailEvent, values: () => EventValues, findings: Finding[]): MappedGrant[] {
    return [
      ...this.passRole(key, event),
      ...this.tagOnCreate(key, event, values, findings),
      ...this.ec2Tags(event),
    ]
  }

  private passRole(key: string, event: CloudTrailEvent): MappedGrant[] {
    const rule = PASS_ROLE[key]
    if (!rule) return []
    const id = `infer:pass-role:${key.replace('.amazonaws.com', '')}`
    const condition = { StringEquals: { 'iam:PassedToService': rule.passedTo } }
    const partition = partitionOf(event)
    const account = accountOf(event)
    const grants: MappedGrant[] = []
    for (const raw of findParams(event.requestParameters, rule.params)) {
      let role: string | undefined
      if (rule.instanceProfile) {
        const profile =
          typeof raw === 'string'
            ? raw
            : ((raw as Record<string, unknown>)?.arn ?? (raw as Record<string, unknown>)?.name)
        if (typeof profile !== 'string') continue
        const name = profile.split('/').pop()!
        const roleName = this.profileRoles.get(name)
        if (roleName) role = roleArnOf(roleName, partition, account)
        else {
          // The profile's role may appear later in the stream; the reducer asks profileRole() at the end.
          grants.push({
            action: 'iam:PassRole',
            resource: '*',
            condition,
            inferredBy: id,
            rule: id,
            unresolved: true,
            instanceProfile: name,
          })
          continue
        }
      } else if (typeof raw === 'string' && raw !== '') {
        role = raw.startsWith('arn:') ? raw : `arn:${partition}:iam::${account}:role/${raw}`
      }
      if (role) grants.push({ action: 'iam:PassRole', resource: role, condition, inferredBy: id, rule: id })
    }
    return grants
  }

  private tagOnCreate(
    key: string,
    event: CloudTrailEvent,
    values: () => EventValues,
    findings: Finding[],
  ): MappedGrant[] {
    const rule = TAG_ON_CREATE[key]
    if (!rule) return []
    const tags = findParams(event.requestParameters, rule.params)
    if (!tags.some(nonEmpty)) return []
    const [prefix, name] = rule.action.split(':') as [string, string]
    const action = this.catalog.action(prefix, name)
    if (!action) return []
    const id = `infer:tag-on-create:${key.replace('.amazonaws.com', '')}`
    const r = this.resolver.resolve(prefix, action, event, values)
    const unresolved = 'problem' in r
    if (unresolved) findings.push(finding('resource.unresolved', r.problem))
    return r.arns.map((resource) => ({
      action: `${prefix}:${action.name}`,
      resource,
      inferredBy: id,
      rule: id,
      ...(unresolved ? { unresolved } : {}),
    }))
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
      resource: `arn:${partition}:ec2:${event.awsRegion}:${account}:${t}/*`,
      condition: { StringEquals: { 'ec2:CreateAction': event.eventName } },
      inferredBy: id,
      rule: id,
    }))
  }
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

function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0
  if (v && typeof v === 'object') return Object.keys(v).length > 0
  return typeof v === 'string' && v !== ''
}
