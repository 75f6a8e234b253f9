import type { Catalog } from '../catalog/catalog.js'
import type { UsedGrant } from '../reduce/usage.js'
import type { Creation, CreationIndex } from './provenance.js'

/**
 * What keeps a widened name to the deploy's own resources: the tags the deploy set at create
 * (`aws:RequestTag/<k>` on the create call, `aws:ResourceTag/<k>` on every later call) and, for ARNs
 * that carry no account (S3, EC2 images and snapshots), the recording's account. The same facts,
 * read back from the create calls, are what `--verify` gives the evaluator for each recorded call.
 */

/** Tag keys CloudFormation sets itself: users cannot set `aws:` tags, so they are the strongest scope. */
const STACK_TAG = 'aws:cloudformation:stack-name'

/** ARN services whose account field is empty, where a widened name would span every account. */
export function accountless(arn: string): boolean {
  const parts = arn.split(':')
  return parts.length >= 6 && parts[4] === '' && (parts[2] === 's3' || parts[2] === 'ec2')
}

/** The key that names the resource's account for this action. */
function accountKey(action: string, catalog: Catalog | undefined): string {
  if (!action.startsWith('s3:')) return 'aws:ResourceAccount'
  const [p, n] = action.split(':') as [string, string]
  const info = catalog?.action(p, n)
  return !info || info.conditionKeys.includes('s3:ResourceAccount')
    ? 's3:ResourceAccount'
    : 'aws:ResourceAccount'
}

/** Whether the Service Authorization Reference lists a condition key (template) for the action. */
export function supportsKey(action: string, template: string, catalog: Catalog | undefined): boolean {
  if (!catalog) return false
  const [p, n] = action.split(':') as [string, string]
  const info = catalog.action(p, n)
  if (!info) return false
  if (info.conditionKeys.includes(template)) return true
  const svc = catalog.service(p)
  return info.resourceTypes.some(
    (r) =>
      r.conditionKeys.includes(template) ||
      (svc?.resourceTypes.get(r.name.toLowerCase())?.conditionKeys.includes(template) ?? false),
  )
}

/** True when one of the create calls is among the calls behind the grant: the resource did not exist yet. */
export function isCreateCall(g: UsedGrant, creations: readonly Creation[]): boolean {
  return creations.some((c) => g.evidence.calls.includes(c.call))
}

/** Tag keys every creation set, with every value they were given; the stack tag first, Name last. */
export function commonTags(creations: readonly Creation[]): [string, string[]][] {
  if (!creations.length) return []
  const keys = Object.keys(creations[0]!.tags).filter((k) => creations.every((c) => k in c.tags))
  const rank = (k: string) => (k === STACK_TAG ? 0 : k === 'Name' ? 2 : 1)
  return keys
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => [k, [...new Set(creations.map((c) => c.tags[k]!))].sort()])
}

export interface Scope {
  /** StringEquals entries to add to the grant's condition. */
  keys: Record<string, string[]>
}

/**
 * The condition that scopes one grant on a widened resource, from the creations of every resource the
 * widened pattern stands for. Empty when nothing the deploy set can be checked by the action.
 */
export function scopeFor(
  g: UsedGrant,
  arn: string,
  creations: readonly Creation[],
  groupCreations: readonly Creation[],
  catalog: Catalog | undefined,
): Scope {
  const keys: Record<string, string[]> = {}
  const create = isCreateCall(g, creations)
  const prefix = create ? 'aws:RequestTag/' : 'aws:ResourceTag/'
  for (const [k, values] of commonTags(groupCreations)) {
    if (!supportsKey(g.action, `${prefix}\${TagKey}`, catalog)) break
    keys[`${prefix}${k}`] = values
    break
  }
  if (accountless(arn)) {
    const accounts = [...new Set(groupCreations.flatMap((c) => (c.account ? [c.account] : [])))].sort()
    if (accounts.length) keys[accountKey(g.action, catalog)] = accounts
  }
  return { keys }
}

/**
 * The facts of a recorded call that the create calls establish, as request-context keys for the
 * evaluator: the tags the resource was created with (request tags on the create call itself,
 * resource tags afterwards) and the account it lives in.
 */
export function recordedFacts(g: UsedGrant, index: CreationIndex | undefined): Record<string, string[]> {
  const creations = index?.lookup(g.resource) ?? []
  if (!creations.length) return {}
  const facts: Record<string, string[]> = {}
  const create = isCreateCall(g, creations)
  const tags = new Map<string, Set<string>>()
  for (const c of creations)
    for (const [k, v] of Object.entries(c.tags)) tags.set(k, (tags.get(k) ?? new Set()).add(v))
  for (const [k, v] of tags) facts[`${create ? 'aws:RequestTag/' : 'aws:ResourceTag/'}${k}`] = [...v].sort()
  if (create && tags.size) facts['aws:TagKeys'] = [...tags.keys()].sort()
  const accounts = [...new Set(creations.flatMap((c) => (c.account ? [c.account] : [])))].sort()
  if (accounts.length) {
    facts['aws:ResourceAccount'] = accounts
    if (g.action.startsWith('s3:')) facts['s3:ResourceAccount'] = accounts
  }
  return facts
}
