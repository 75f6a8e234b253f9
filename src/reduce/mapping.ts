import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import type { Finding } from '../findings.js'
import type { ConditionBlock } from '../policy/document.js'

/**
 * The seam between an event and the permissions it proves. A mapper turns one CloudTrail event
 * into the IAM grants it needed; it is pure and synchronous (the catalog is loaded beforehand).
 */
export interface MappedGrant {
  /** `service:Action`, canonical casing, known to the Service Authorization Reference. */
  action: string
  /** A concrete ARN, or `*` when the action takes no resource or the ARN could not be resolved. */
  resource: string
  condition?: ConditionBlock
  /** Set for permissions no event shows (iam:PassRole, tag-on-create, …): the rule that inferred it. */
  inferredBy?: string
  /** Why this action for this event: the rule id from our tables, or `sar:direct` for name = action. */
  rule: string
  /** The resource could not be named from the event: `*` stands in for it (a finding says why). */
  unresolved?: boolean
  /** iam:PassRole of an instance profile whose role was not known yet: resolved when the stream ends. */
  instanceProfile?: string
}

export type EventMapping =
  | { kind: 'mapped'; grants: MappedGrant[]; findings: Finding[] }
  | { kind: 'excluded'; rule: string; reason: string }
  | { kind: 'unmapped'; reason: string }

export interface EventMapper {
  /** IAM service prefixes this event may need loaded in the catalog before `map` is called. */
  prefixesFor(event: CloudTrailEvent): readonly string[]
  map(event: CloudTrailEvent): EventMapping
  /** The role of an instance profile, as learned from the whole stream. */
  profileRole?(profile: string, like: CloudTrailEvent | undefined): string | undefined
  /** Instance profile → role name pairs the events so far taught (for merging slices read apart). */
  learnedProfiles?(): [string, string][]
}
