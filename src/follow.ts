import { stat } from 'node:fs/promises'
import { readInputs, STDIN_PATHS } from './collect/files/files.js'
import { isRecording, readManifest } from './collect/recording.js'
import { IamtrailError } from './errors.js'
import type { CloudTrailEvent } from './events/cloudtrail-event.js'
import { type PrincipalSelector, principalFromManifest } from './events/principal.js'
import { FindingList } from './findings.js'
import {
  type ExcludedIdentity,
  followIdentities,
  type IdentityEdge,
  type IdentityGraph,
  isLinkEvent,
} from './identity/graph.js'
import { keepingUnread, noEvents, reduceInputs, type UsageRequest, type UsageResult } from './pipeline.js'
import type { Usage } from './reduce/usage.js'

/**
 * How an identity came into the graph: a root (what was selected or recorded), a session a member
 * created (AssumeRole*, SSO), or a CloudFormation service role a member passed with its stacks.
 */
export type IdentityKind = 'root' | 'session' | 'service-role'

const KIND_ORDER: Record<IdentityKind, number> = { root: 0, session: 1, 'service-role': 2 }

export interface FollowedIdentity {
  principal: string
  kind: IdentityKind
  usage: Usage
  /** The edges that lead to it (who assumed or passed it, with the event). */
  reachedBy: IdentityEdge[]
  /** For a service role: the stacks it was passed for. */
  stacks: string[]
}

export interface FollowResult extends Omit<UsageResult, 'usage'> {
  identities: FollowedIdentity[]
  edges: readonly IdentityEdge[]
  excluded: readonly ExcludedIdentity[]
}

/**
 * The roots recordings name, when every recording among the inputs was made following identities
 * (`record` does by default): the keys it handed out and the principals it was asked for.
 * Undefined when no input is such a recording.
 */
export async function recordingRoots(inputs: readonly string[]): Promise<PrincipalSelector[] | undefined> {
  const roots = new Map<string, PrincipalSelector>()
  for (const path of inputs) {
    if (STDIN_PATHS.has(path) || path === '-') continue
    const isDir = await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    )
    if (!isDir || !(await isRecording(path))) continue
    const m = await readManifest(path)
    if (!m.identities?.follow) continue
    for (const r of m.identities.roots) roots.set(r, principalFromManifest(r))
    for (const k of m.identities.accessKeys) roots.set(k, { kind: 'access-key', id: k })
  }
  return roots.size ? [...roots.values()] : undefined
}

/**
 * Every identity a deploy used, each with its own usage: the graph is followed over the inputs'
 * link events (first pass: only AssumeRole*, SSO and stack calls are kept), then the inputs are
 * reduced once more keeping the members' calls apart, per identity. Two passes, so the inputs must
 * be files: stdin cannot be read twice.
 */
export async function followInputs(
  req: UsageRequest & { roots: readonly PrincipalSelector[] },
): Promise<FollowResult> {
  const stdin = req.inputs.find((p) => p === '-' || STDIN_PATHS.has(p))
  if (stdin)
    throw new IamtrailError(
      `--follow reads the inputs twice (the identity graph, then the calls): ${stdin} cannot be read twice; save it to a file first`,
    )
  const links: CloudTrailEvent[] = []
  // The first pass only looks for links; what it finds wrong the second pass reports, once.
  for await (const { event } of readInputs(
    req.inputs,
    req.window,
    { sink: new FindingList() },
    { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 },
  ))
    if (isLinkEvent(event)) links.push(event)
  const graph = followIdentities(links, req.roots)
  const { principal: _, ...rest } = req
  const { sink, unread } = keepingUnread(req.sink)
  const result = await reduceInputs({ ...rest, sink, members: graph.members() })
  if (result.usages.length === 0)
    throw noEvents(
      `the followed identities (roots: ${req.roots.map(rootText).join(', ')})`,
      result.principalsSeen,
      unread,
    )
  return {
    ...result,
    // In the order the deploy reached them: the caller, the sessions it created, the roles it passed.
    identities: result.usages
      .map((usage) => describeIdentity(usage, graph))
      .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.principal < b.principal ? -1 : 1)),
    edges: graph.edges(),
    excluded: graph.excluded(),
  }
}

function describeIdentity(usage: Usage, graph: IdentityGraph): FollowedIdentity {
  const p = usage.principal
  const passed = graph.passedRoles().find((r) => r.roleArn === p)
  const reachedBy = graph.edges().filter((e) => e.to === p || sameRole(e.to, p))
  const kind: IdentityKind = passed
    ? 'service-role'
    : reachedBy.some((e) => e.how === 'assumed' && e.from !== p)
      ? 'session'
      : 'root'
  return { principal: p, kind, usage, reachedBy, stacks: passed?.stacks ?? [] }
}

/** An AssumeRole edge names the role ARN as the caller gave it; an SSO one names account and role. */
function sameRole(to: string, principal: string): boolean {
  const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/ ]+)/.exec(to)
  const p = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(principal)
  return Boolean(role && p && role[1] === p[1] && role[2] === p[2])
}

function rootText(r: PrincipalSelector): string {
  return r.kind === 'access-key' ? `access key ${r.id}` : r.arn
}
