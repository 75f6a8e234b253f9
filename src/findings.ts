/**
 * Data problems and notable facts are values, not exceptions. Every code lives in this registry so
 * that docs/findings.md can be generated from it and tests can refer to codes, not message text.
 */
export type Severity = 'error' | 'warning' | 'info'

export const FINDING_CODES = {
  'input.unreadable': { severity: 'error', title: 'An input file or stream could not be read' },
  'input.truncated-gzip': {
    severity: 'error',
    title: 'A gzip stream ended early; events after the cut are lost',
  },
  'input.invalid-json': { severity: 'error', title: 'A file or line is not valid JSON' },
  'input.unknown-format': {
    severity: 'error',
    title: 'Content is neither Records[], lookup-events output nor NDJSON',
  },
  'input.invalid-record': { severity: 'error', title: 'A record lacks a field every CloudTrail event has' },
  'input.empty': { severity: 'warning', title: 'An input held no events' },
  'input.special-file': {
    severity: 'warning',
    title: 'A FIFO, socket or device in an input directory was skipped (named as an input, it is read)',
  },
  'principal.ambiguous': { severity: 'error', title: 'Several principals are present and none was selected' },
  'event.excluded': { severity: 'info', title: 'An event needs no IAM permission or is not an API call' },
  'event.unmapped': { severity: 'warning', title: 'An event could not be mapped to a known IAM action' },
  'event.denied': {
    severity: 'warning',
    title: 'The call was denied during the recording: the permission was missing',
  },
  'resource.unresolved': {
    severity: 'warning',
    title: 'A resource ARN could not be built; the grant uses "*"',
  },
  'resource.widened-unscoped': {
    severity: 'warning',
    title: 'A created resource name was widened and no condition could scope the widening',
  },
  'resource.prefix-scope': {
    severity: 'info',
    title: 'A --resources prefix: scope admits resources no recorded call used',
  },
  'resource.prefix-unmatched': {
    severity: 'warning',
    title: 'A --resources prefix: matched no recorded resource name, so it scoped nothing',
  },
  'inference.unresolved': {
    severity: 'warning',
    title: 'A permission-only action was needed but its target is unknown',
  },
  'collect.region-failed': {
    severity: 'error',
    title: 'A region could not be collected; its activity is unknown',
  },
  'collect.throttled': { severity: 'info', title: 'Requests were throttled and retried' },
  'collect.incomplete': {
    severity: 'warning',
    title: 'Collection stopped before CloudTrail delivery settled',
  },
} as const satisfies Record<string, { severity: Severity; title: string }>

export type FindingCode = keyof typeof FINDING_CODES

export interface Finding {
  code: FindingCode
  severity: Severity
  detail: string
  /** file:line, file[index], event id, region, … */
  where?: string
  eventId?: string
}

export function finding(code: FindingCode, detail: string, where?: string, eventId?: string): Finding {
  const f: Finding = { code, severity: FINDING_CODES[code].severity, detail }
  if (where !== undefined) f.where = where
  if (eventId !== undefined) f.eventId = eventId
  return f
}

/** Collects findings from every stage; the CLI prints and counts them. */
export interface FindingSink {
  report(f: Finding): void
}

export class FindingList implements FindingSink {
  readonly items: Finding[] = []
  report(f: Finding): void {
    this.items.push(f)
  }
  count(code: FindingCode): number {
    return this.items.filter((f) => f.code === code).length
  }
  hasErrors(): boolean {
    return this.items.some((f) => f.severity === 'error')
  }
}
