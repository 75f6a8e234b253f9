import { isValid, parseISO } from 'date-fns'
import type { TimeWindow } from '../collect/window.js'
import { IamtrailError } from '../errors.js'
import { type PrincipalSelector, parsePrincipal } from '../events/principal.js'

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
