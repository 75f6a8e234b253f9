import type { ConditionBlock } from '../policy/document.js'

/**
 * What a principal used: one entry per distinct (action, resource, condition), with the evidence
 * behind it. Memory grows with distinct grants, never with events.
 */
export interface Evidence {
  count: number
  firstSeen: string
  lastSeen: string
  exampleEventId: string
  /** `eventSource:eventName` of the calls that proved the grant. */
  calls: string[]
  /** `direct`, or the service that made the call for the principal (`cloudformation.amazonaws.com`). */
  via: string[]
  /** Labels of the recordings the evidence came from (deploy, teardown, …). */
  recordings: string[]
  regions: string[]
  errorCodes: string[]
  /** How many of the calls were denied (AccessDenied and kin). */
  denied: number
  /** How many of the calls failed for any reason (throttled, not found, denied, …). */
  errored: number
}

export interface UsedGrant {
  action: string
  resource: string
  condition?: ConditionBlock
  /** Rules that produced the grant (mapping rule ids; inference rule ids for inferred grants). */
  rules: string[]
  /** True when no event shows the action itself: it was inferred from request parameters. */
  inferred: boolean
  /** True when every call behind the grant left its resource unnamed (e.g. a throttled call without parameters). */
  unresolved: boolean
  /** For iam:PassRole through an instance profile whose role the recording never showed. */
  instanceProfile?: string
  evidence: Evidence
}

export interface ReduceStats {
  eventsRead: number
  /** Events of the selected principal inside the window. */
  matched: number
  mapped: number
  unmapped: number
  excluded: number
  denied: number
  skipped: Record<string, number>
  filesRead: number
  filesSkipped: number
  filesWithErrors: number
  /** Files of input directories that are not JSON or gzip (README.md, …): skipped unparsed. */
  filesNotCloudTrail?: number
}

export interface Usage {
  principal: string
  grants: UsedGrant[]
  /** Unmapped calls by `eventSource:eventName` with their reason and count. */
  unmapped: { call: string; reason: string; count: number; exampleEventId: string }[]
  /** Excluded calls (no permission needed, not API calls) by rule. */
  excluded: { call: string; rule: string; reason: string; count: number }[]
  window?: { start?: string; end?: string }
  regions: string[]
  recordings: string[]
}

export function emptyStats(): ReduceStats {
  return {
    eventsRead: 0,
    matched: 0,
    mapped: 0,
    unmapped: 0,
    excluded: 0,
    denied: 0,
    skipped: {},
    filesRead: 0,
    filesSkipped: 0,
    filesWithErrors: 0,
  }
}
