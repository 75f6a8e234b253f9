import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { matchesPrincipal, type PrincipalSelector, principalOf } from '../events/principal.js'

/**
 * The identities a deploy used, as CloudTrail links them. From the roots (what the user selected,
 * or the access keys `record` handed out), inside the window:
 * - a session they created: AssumeRole*, GetSessionToken/GetFederationToken, SSO GetRoleCredentials
 *   name the new access key in `responseElements`; its calls are signed with that key;
 * - a CloudFormation service role they passed (`roleARN` on a stack call): CloudFormation's calls
 *   as that role are its `AWSCloudFormation` sessions (`invokedBy: cloudformation.amazonaws.com`);
 * and so on from those, recursively. Service-linked roles are left out: nobody can attach a policy
 * to them. Pure: events in, identities and edges out.
 */
export interface IdentityEdge {
  /** The identity that created the session or passed the role (as principalOf names it). */
  from: string
  /** The role (or user) that acts next. */
  to: string
  how: 'assumed' | 'passed'
  /** `sts:AssumeRole`, `cloudformation:CreateChangeSet`, … */
  call: string
  eventId: string
  eventTime: string
  /** The new access key (assumed), or the stack the role was passed for. */
  detail?: string
  /** The deploy tool the call's user agent names (cdk, serverless, sam, terraform, …), when it does. */
  tool?: string
}

/** Deploy tools as their user agents name them. */
const TOOLS: [RegExp, string][] = [
  [/\baws-cdk\b|\bcdk\//i, 'cdk'],
  [/serverless/i, 'serverless'],
  [/aws-sam-cli|\bSAM[ _-]CLI\b/i, 'sam'],
  [/terraform/i, 'terraform'],
  [/pulumi/i, 'pulumi'],
  [/aws-cli\//i, 'aws-cli'],
]

export function toolOf(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined
  return TOOLS.find(([re]) => re.test(userAgent))?.[1]
}

export interface ExcludedIdentity {
  arn: string
  why: string
  eventId: string
}

/** Calls that create a session whose key `responseElements` names. */
const SESSION_CALLS = new Set([
  'sts.amazonaws.com:AssumeRole',
  'sts.amazonaws.com:AssumeRoleWithWebIdentity',
  'sts.amazonaws.com:AssumeRoleWithSAML',
  'sts.amazonaws.com:GetSessionToken',
  'sts.amazonaws.com:GetFederationToken',
  'sso.amazonaws.com:GetRoleCredentials',
])

/** Stack calls whose `roleARN` makes CloudFormation act as that role (ExecuteChangeSet uses the change set's). */
const STACK_CALLS = new Set([
  'CreateStack',
  'UpdateStack',
  'CreateChangeSet',
  'ExecuteChangeSet',
  'DeleteStack',
])

const CLOUDFORMATION = 'cloudformation.amazonaws.com'
const CFN_SESSION = 'AWSCloudFormation'

export function isServiceLinkedRole(arn: string): boolean {
  return /:role\/aws-service-role\//.test(arn) || /:role\/(.*\/)?AWSServiceRoleFor/.test(arn)
}

/**
 * The graph's members as plain data (structured-clone safe, for worker threads): an event belongs to
 * the graph when it matches a root, is signed with one of the keys, or is a CloudFormation session of
 * a passed service role.
 */
export interface GraphMembers {
  roots: PrincipalSelector[]
  accessKeys: string[]
  serviceRoles: string[]
}

/** A membership test over `members`, built once (sets) for the per-event check. */
export function memberTest(members: GraphMembers): (e: CloudTrailEvent) => boolean {
  const keys = new Set(members.accessKeys)
  const roles = new Set(members.serviceRoles)
  const others = members.roots.filter((r) => r.kind !== 'access-key')
  for (const r of members.roots) if (r.kind === 'access-key') keys.add(r.id)
  return (e) => {
    const id = e.userIdentity
    if (!id) return false
    if (id.accessKeyId && keys.has(id.accessKeyId)) return true
    if (others.some((r) => matchesPrincipal(e, r))) return true
    return roles.size > 0 && isServiceRoleSession(e, roles)
  }
}

/** CloudFormation acting as one of `roles`: its `AWSCloudFormation` sessions. */
function isServiceRoleSession(e: CloudTrailEvent, roles: { has(role: string): boolean }): boolean {
  const id = e.userIdentity
  if (id?.type !== 'AssumedRole') return false
  const role = id.sessionContext?.sessionIssuer?.arn
  if (!role || !roles.has(role)) return false
  return id.arn?.endsWith(`/${CFN_SESSION}`) === true || id.invokedBy === CLOUDFORMATION
}

export class IdentityGraph {
  private readonly keys = new Map<string, string | undefined>()
  private readonly serviceRoles = new Map<string, Set<string>>()
  private readonly edgeList: IdentityEdge[] = []
  private readonly edgeKeys = new Set<string>()
  private readonly excludedList: ExcludedIdentity[] = []

  constructor(
    readonly roots: readonly PrincipalSelector[],
    readonly follow = true,
  ) {
    for (const r of roots) if (r.kind === 'access-key') this.keys.set(r.id, undefined)
  }

  /** True when the event is a call of an identity in the graph. */
  includes(e: CloudTrailEvent): boolean {
    const id = e.userIdentity
    if (!id) return false
    if (id.accessKeyId && this.keys.has(id.accessKeyId)) return true
    if (this.roots.some((r) => r.kind !== 'access-key' && matchesPrincipal(e, r))) return true
    return this.serviceRoles.size > 0 && isServiceRoleSession(e, this.serviceRoles)
  }

  members(): GraphMembers {
    return {
      roots: [...this.roots],
      accessKeys: this.accessKeys(),
      serviceRoles: [...this.serviceRoles.keys()],
    }
  }

  /**
   * `includes`, and when the event is a member's and follows a link, the graph grows. Feeding the
   * same events again is harmless, so a collector that re-reads the window can call it every poll.
   * Returns whether the event belongs to the graph.
   */
  admit(e: CloudTrailEvent): boolean {
    if (!this.includes(e)) return false
    if (this.follow && !e.errorCode) this.link(e)
    return true
  }

  /** Access keys known to belong to the graph (handed out, or created by a member). */
  accessKeys(): string[] {
    return [...this.keys.keys()]
  }

  /** Service roles passed to CloudFormation, with the stacks they were passed for. */
  passedRoles(): { roleArn: string; stacks: string[] }[] {
    return [...this.serviceRoles].map(([roleArn, s]) => ({ roleArn, stacks: [...s].sort() }))
  }

  edges(): readonly IdentityEdge[] {
    return this.edgeList
  }

  excluded(): readonly ExcludedIdentity[] {
    return this.excludedList
  }

  private link(e: CloudTrailEvent): void {
    const from = principalOf(e) ?? e.userIdentity?.accessKeyId ?? 'unknown'
    const req = e.requestParameters ?? {}
    const res = e.responseElements ?? {}
    if (SESSION_CALLS.has(`${e.eventSource}:${e.eventName}`)) {
      const creds = (res.credentials ?? res.roleCredentials) as { accessKeyId?: unknown } | undefined
      const key = typeof creds?.accessKeyId === 'string' ? creds.accessKeyId : undefined
      const assumed = (res.assumedRoleUser as { arn?: unknown } | undefined)?.arn
      const federated = (res.federatedUser as { arn?: unknown } | undefined)?.arn
      const to =
        str(req.roleArn) ??
        (typeof assumed === 'string' ? assumed : undefined) ??
        (typeof federated === 'string' ? federated : undefined) ??
        ssoRole(req) ??
        from
      if (!key) return
      if (isServiceLinkedRole(to)) {
        this.exclude(to, 'service-linked role', e)
        return
      }
      if (!this.keys.has(key)) this.keys.set(key, to)
      this.addEdge({
        from,
        to,
        how: 'assumed',
        call: callName(e),
        eventId: e.eventID,
        eventTime: e.eventTime,
        detail: key,
        ...withTool(e),
      })
      return
    }
    if (e.eventSource === CLOUDFORMATION && STACK_CALLS.has(e.eventName)) {
      const role = str(req.roleARN)
      if (!role) return
      if (isServiceLinkedRole(role)) {
        this.exclude(role, 'service-linked role', e)
        return
      }
      const stack = str(req.stackName) ?? ''
      const stacks = this.serviceRoles.get(role) ?? new Set<string>()
      if (stack) stacks.add(stack)
      this.serviceRoles.set(role, stacks)
      this.addEdge({
        from,
        to: role,
        how: 'passed',
        call: callName(e),
        eventId: e.eventID,
        eventTime: e.eventTime,
        ...(stack ? { detail: stack } : {}),
        ...withTool(e),
      })
    }
  }

  private addEdge(edge: IdentityEdge): void {
    // One edge per (from, to, how, call): a deploy assumes its roles many times.
    const k = `${edge.from}\0${edge.to}\0${edge.how}\0${edge.call}`
    if (this.edgeKeys.has(k)) return
    this.edgeKeys.add(k)
    this.edgeList.push(edge)
  }

  private exclude(arn: string, why: string, e: CloudTrailEvent): void {
    if (!this.excludedList.some((x) => x.arn === arn))
      this.excludedList.push({ arn, why, eventId: e.eventID })
  }
}

/**
 * The graph over a set of events, whatever their order: links are followed until nothing new joins
 * (a session's calls may come before, in another region's file, the AssumeRole that made it).
 */
export function followIdentities(
  events: readonly CloudTrailEvent[],
  roots: readonly PrincipalSelector[],
  follow = true,
): IdentityGraph {
  const graph = new IdentityGraph(roots, follow)
  let size = -1
  while (size !== graphSize(graph)) {
    size = graphSize(graph)
    for (const e of events) graph.admit(e)
  }
  return graph
}

/** Whether an event can add to a graph: only these need to be kept for `followIdentities`. */
export function isLinkEvent(e: CloudTrailEvent): boolean {
  return (
    SESSION_CALLS.has(`${e.eventSource}:${e.eventName}`) ||
    (e.eventSource === CLOUDFORMATION && STACK_CALLS.has(e.eventName))
  )
}

function graphSize(g: IdentityGraph): number {
  return g.accessKeys().length + g.passedRoles().length
}

function withTool(e: CloudTrailEvent): { tool?: string } {
  const tool = toolOf(e.userAgent)
  return tool ? { tool } : {}
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** SSO names the role by account and name, not ARN. */
function ssoRole(req: Record<string, unknown>): string | undefined {
  const account = str(req.accountId)
  const name = str(req.roleName)
  return account && name ? `arn:aws:iam::${account}:role/${name} (IAM Identity Center)` : undefined
}

function callName(e: CloudTrailEvent): string {
  return `${e.eventSource.split('.')[0]}:${e.eventName}`
}
