import type { Finding } from '../findings.js'
import type { ReduceStats, Usage } from '../reduce/usage.js'

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
    `iamtrail: ${stats.eventsRead} events read from ${stats.filesRead} input(s)` +
      (stats.filesSkipped ? ` (${stats.filesSkipped} file(s) outside the window skipped unopened)` : '') +
      (stats.filesNotCloudTrail
        ? ` (${stats.filesNotCloudTrail} file(s) that are not JSON or gzip skipped unparsed)`
        : ''),
    `  matched ${stats.matched}, mapped ${stats.mapped}, unmapped ${stats.unmapped}, excluded ${stats.excluded}, denied ${stats.denied}`,
  )
  if (skipped.length) lines.push(`  skipped: ${skipped.join(', ')}`)
  if (stats.filesWithErrors)
    lines.push(`  inputs with errors: ${stats.filesWithErrors} (results may be incomplete)`)
  if (usage?.unmapped.length) {
    lines.push('  unmapped calls (not in the policy):')
    for (const u of usage.unmapped)
      lines.push(`    ${u.call} ×${u.count}: ${u.reason} (e.g. event ${u.exampleEventId})`)
  }
  if (usage?.excluded.length) {
    lines.push('  excluded calls (no permission needed):')
    for (const e of usage.excluded) lines.push(`    ${e.call} ×${e.count}: ${e.reason}`)
  }
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
    const where = f.where ? `${f.where}: ` : ''
    const id = f.eventId && !(f.where ?? '').includes(f.eventId) ? ` (event ${f.eventId})` : ''
    const times = count > 1 ? ` ×${count}, first at` : ''
    lines.push(
      `  ${f.severity}: ${f.detail}${times ? `${times} ${where.slice(0, -2)}${id}` : ` ${where ? `at ${where.slice(0, -2)}` : ''}${id}`} [${f.code}]`,
    )
  }
  if (shown.length > limit) lines.push(`  … and ${shown.length - limit} more kinds of findings`)
  return `${lines.join('\n')}\n`
}
