import type { UsedGrant } from '../reduce/usage.js'
import { type AuthzRequest, contextOf } from './request.js'

/**
 * The requests a used grant stands for: one per region it was used in, with the context keys the
 * evidence tells us. Everything else stays unknown, so a condition on it answers `conditional`.
 */
const PASS_ROLE_ONLY_KEYS = ['iam:PassedToService', 'iam:AssociatedResourceArn']

export function requestsFor(
  grant: UsedGrant,
  principal: string,
  facts: Record<string, string[]> = {},
): AuthzRequest[] {
  const account = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1]
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(principal)?.[1]
  const known: Record<string, string | string[] | undefined> = {
    'aws:PrincipalArn': principal.startsWith('arn:') ? principal : undefined,
    'aws:SecureTransport': 'true',
  }
  if (account) known['aws:PrincipalAccount'] = account
  if (user) known['aws:username'] = user
  const via = grant.evidence.via
  if (via.length === 1) known['aws:ViaAWSService'] = via[0] === 'direct' ? 'false' : 'true'
  // iam:PassedToService and iam:AssociatedResourceArn exist only in iam:PassRole requests (IAM user
  // guide, "IAM condition context keys"): on any other action they are known to be absent.
  if (grant.action.toLowerCase() !== 'iam:passrole') for (const k of PASS_ROLE_ONLY_KEYS) known[k] = []
  // Keys of the grant's own condition (iam:PassedToService, ec2:CreateAction) are facts of the call.
  for (const keys of Object.values(grant.condition ?? {})) {
    for (const [k, v] of Object.entries(keys)) known[k] = Array.isArray(v) ? v : [v as string]
  }
  // What the recording itself shows about the resource (its tags at create, its account).
  for (const [k, v] of Object.entries(facts)) known[k] = v
  const regions = grant.evidence.regions.length ? grant.evidence.regions : [undefined]
  return regions.map((region) => ({
    action: grant.action,
    // The call acted on the literal name; the grant's `${*}` escapes (reduce/literal.ts) name it.
    resource: grant.resource.replace(/\$\{([*?$])\}/g, '$1'),
    context: contextOf(region ? { ...known, 'aws:RequestedRegion': region } : known),
  }))
}
