import { availableParallelism } from 'node:os'
import { isValid, parseISO } from 'date-fns'
import { IamtrailError } from '../errors.js'
import { type PrincipalSelector, parsePrincipal } from '../events/principal.js'
import type { TimeWindow } from '../events/time-window.js'

/** `2026-11-20T10:00Z`, `2026-11-20T10:00:00+01:00`, `2026-11-20` (UTC midnight). */
export function parseTime(value: string, option: string): Date {
  const d = parseISO(value)
  if (!isValid(d))
    throw new IamtrailError(
      `${option} ${JSON.stringify(value)} is not an ISO-8601 time (e.g. 2026-11-20T10:00Z)`,
    )
  // parseISO reads a zone-less time as local time; CloudTrail is UTC, so the user means UTC.
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value)) return new Date(d.getTime() - d.getTimezoneOffset() * 60_000)
  return d
}

export function parseWindow(start?: string, end?: string): TimeWindow {
  const w: TimeWindow = {}
  if (start) w.start = parseTime(start, '--start')
  if (end) w.end = parseTime(end, '--end')
  if (w.start && w.end && w.start >= w.end) throw new IamtrailError('--start must be before --end')
  return w
}

export function parseSelector(principal?: string, accessKeyId?: string): PrincipalSelector | undefined {
  if (principal && accessKeyId) throw new IamtrailError('use either --principal or --access-key-id, not both')
  if (accessKeyId) {
    if (!/^(AKIA|ASIA)[A-Z0-9]{12,}$/.test(accessKeyId)) {
      throw new IamtrailError(`--access-key-id ${accessKeyId} is not an AWS access key id (AKIA… or ASIA…)`)
    }
    return { kind: 'access-key', id: accessKeyId }
  }
  return principal ? parsePrincipal(principal) : undefined
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/

/** `5m`, `90s`, `1h`, `500ms`; a bare number is seconds. */
export function parseDuration(value: string, option: string): number {
  const m = DURATION.exec(value.trim())
  if (!m) throw new IamtrailError(`${option} ${JSON.stringify(value)} is not a duration (e.g. 5m, 90s, 1h)`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']
  return Math.round(Number(m[1]) * unit)
}

/** `eu-west-1,us-east-1` → regions, checked for shape so a typo fails before any request. */
export function parseRegions(value: string | undefined): string[] {
  if (!value) return []
  const regions = value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
  for (const r of regions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r)) {
      throw new IamtrailError(`--regions: ${JSON.stringify(r)} is not an AWS region name (e.g. eu-west-1)`)
    }
  }
  return regions
}

/**
 * `--jobs`: worker threads for reading inputs; by default one per available core, at most
 * DEFAULT_JOBS_CAP: each worker holds its own heap (~60-90 MB at peak), and reading is bound by memory
 * bandwidth long before 64 cores are busy. An explicit --jobs above the available cores is capped
 * to them, with a note: more threads than cores only contend for them, each with its own heap.
 */
const DEFAULT_JOBS_CAP = 8

export const JOBS_OPTION = [
  '-j, --jobs <n>',
  `worker threads that read and reduce input files, 1 for none (default: the available cores, at most ${DEFAULT_JOBS_CAP})`,
] as const

export function parseJobs(value: string | undefined, quiet = false): number {
  const cores = availableParallelism()
  if (value === undefined) return Math.min(cores, DEFAULT_JOBS_CAP)
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new IamtrailError(`--jobs ${value}: use a whole number from 1 to 256`)
  if (n <= cores) return n
  if (!quiet)
    process.stderr.write(
      `iamtrail: note: --jobs ${n} is more than the ${cores} available cores; using ${cores}\n`,
    )
  return cores
}
