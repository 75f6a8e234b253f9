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
    return this.isServiceRoleCall(e)
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

  private isServiceRoleCall(e: CloudTrailEvent): boolean {
    if (this.serviceRoles.size === 0) return false
    const id = e.userIdentity
    if (id?.type !== 'AssumedRole') return false
    const role = id.sessionContext?.sessionIssuer?.arn
    if (!role || !this.serviceRoles.has(role)) return false
    return id.arn?.endsWith(`/${CFN_SESSION}`) === true || id.invokedBy === CLOUDFORMATION
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
