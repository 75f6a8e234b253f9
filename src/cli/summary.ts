import type { Finding } from '../findings.js'
import type { ReduceStats, Usage } from '../reduce/usage.js'
import { terminalSafe as t } from '../render/escape.js'

/** The stderr summary: what was read, what it became, and every problem with where it happened. */
export function formatSummary(
  stats: ReduceStats,
  usage: Usage | undefined,
  findings: readonly Finding[],
): string {
  const lines: string[] = []
  const skipped = Object.entries(stats.skipped)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([reason, n]) => `${n} ${reason}`)
  lines.push(
    `iamtrail: ${plural(stats.eventsRead, 'event')} read from ${plural(stats.filesRead, 'input')}` +
      (stats.filesSkipped
        ? ` (${plural(stats.filesSkipped, 'file')} outside the window skipped unopened)`
        : '') +
      (stats.filesNotCloudTrail
        ? ` (${plural(stats.filesNotCloudTrail, 'file')} that ${stats.filesNotCloudTrail === 1 ? 'is' : 'are'} not JSON or gzip skipped unparsed)`
        : ''),
    `  matched ${stats.matched}, mapped ${stats.mapped}, unmapped ${stats.unmapped}, excluded ${stats.excluded}, denied ${stats.denied}`,
  )
  if (skipped.length) lines.push(`  skipped: ${skipped.join(', ')}`)
  if (stats.filesWithErrors)
    lines.push(`  inputs with errors: ${stats.filesWithErrors} (results may be incomplete)`)
  const calls = usage ? formatCalls(usage, '  ') : ''
  if (calls) lines.push(calls.trimEnd())
  // The same problem on many events is one line with a count and the first place it happened.
  const groups = new Map<string, { f: Finding; count: number }>()
  for (const f of findings) {
    if (f.code === 'event.excluded') continue
    const key =
      f.severity === 'error' ? `${f.code}\u0000${f.where}\u0000${f.detail}` : `${f.code}\u0000${f.detail}`
    const g = groups.get(key)
    if (g) g.count++
    else groups.set(key, { f, count: 1 })
  }
  const limit = 50
  const shown = [...groups.values()]
  for (const { f, count } of shown.slice(0, limit)) {
    const where = f.where ? `${t(f.where)}: ` : ''
    const id = f.eventId && !(f.where ?? '').includes(f.eventId) ? ` (event ${t(f.eventId)})` : ''
    const times = count > 1 ? ` ×${count}, first at` : ''
    lines.push(
      `  ${f.severity}: ${t(f.detail)}${times ? `${times} ${where.slice(0, -2)}${id}` : ` ${where ? `at ${where.slice(0, -2)}` : ''}${id}`} [${f.code}]`,
    )
  }
  if (shown.length > limit) lines.push(`  … and ${shown.length - limit} more kinds of findings`)
  return `${lines.join('\n')}\n`
}

/** The calls of a usage left out of its policy (unmapped, excluded), indented; empty when none. */
export function formatCalls(usage: Usage, indent: string): string {
  const lines: string[] = []
  if (usage.unmapped.length) {
    lines.push(`${indent}unmapped calls (not in the policy):`)
    for (const u of usage.unmapped)
      lines.push(`${indent}  ${t(u.call)} ×${u.count}: ${t(u.reason)} (e.g. event ${t(u.exampleEventId)})`)
  }
  if (usage.excluded.length) {
    lines.push(`${indent}excluded calls (no permission needed):`)
    for (const e of usage.excluded) lines.push(`${indent}  ${t(e.call)} ×${e.count}: ${t(e.reason)}`)
  }
  return lines.length ? `${lines.join('\n')}\n` : ''
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`
