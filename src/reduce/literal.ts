import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import type { MappedGrant } from './mapping.js'

/**
 * Names in events are chosen by whoever names the resources an application touches, and a failed
 * call logs any name it was given (a DeleteRole of `prod-*`, a CreateBucket of `*`). In a policy's
 * Resource, `*` and `?` are wildcards and `${…}` is a policy variable, so such a name, placed as it
 * is, would grant far more than the call used. IAM's escapes `${*}`, `${?}` and `${$}` name the
 * characters themselves: the grant stays exactly the resource the call named.
 */
export function iamLiteral(s: string): string {
  return s.replace(/[$*?]/g, (c) => `\${${c}}`)
}

const WILD = /[*?$]/

/**
 * The last step of mapping an event: any event string with a wildcard or `$` that a grant's
 * resource contains is replaced by its escaped form. Strings of one character are escaped where
 * they are filled into an ARN format (resources.ts), since a lone `*` here may be iamtrail's own.
 */
export function escapeEventNames(event: CloudTrailEvent, grants: MappedGrant[]): MappedGrant[] {
  if (!grants.some((g) => g.resource !== '*' && WILD.test(g.resource))) return grants
  const wild = new Set<string>()
  collect(event.requestParameters, wild, 0)
  collect(event.responseElements, wild, 0)
  for (const r of event.resources ?? []) if (typeof r?.ARN === 'string') collect(r.ARN, wild, 0)
  if (typeof event.errorMessage === 'string') collect(event.errorMessage.split(/\s+/), wild, 0)
  // Longest first, so a name inside a longer ARN is escaped once, as part of the ARN.
  const names = [...wild]
    .filter((w) => w.length > 1 && /[A-Za-z0-9]/.test(w))
    .sort((a, b) => b.length - a.length)
  if (!names.length) return grants
  return grants.map((g) => {
    if (g.resource === '*') return g
    let r = g.resource
    for (const w of names) if (r.includes(w)) r = r.split(w).join(iamLiteral(w))
    return r === g.resource ? g : { ...g, resource: r }
  })
}

function collect(v: unknown, out: Set<string>, depth: number): void {
  if (depth > 8 || v === null || v === undefined) return
  if (typeof v === 'string') {
    if (WILD.test(v)) out.add(v)
    return
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1)
  else if (typeof v === 'object') for (const x of Object.values(v)) collect(x, out, depth + 1)
}
