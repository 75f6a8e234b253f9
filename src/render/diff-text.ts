import type { PolicyDiff } from '../diff/diff-policy.js'
import { terminalSafe } from './escape.js'

const LIST_LIMIT = 25

/** The readable diff: missing first (it breaks deploys), then conditional, broad, unused, unknown. */
export function renderDiffText(d: PolicyDiff, color: boolean): string {
  // Every line holds names from events: each is made control-free before iamtrail adds its colours.
  const paint = (code: string) => (s: string) =>
    color ? `\u001b[${code}m${terminalSafe(s)}\u001b[0m` : terminalSafe(s)
  const red = paint('31')
  const yellow = paint('33')
  const green = paint('32')
  const dim = paint('2')
  const s = d.summary
  const out: string[] = [
    `principal ${terminalSafe(d.principal)}`,
    `used grants ${s.usedGrants}: ${green(`${s.allowed} allowed`)}, ${red(`${s.denied} missing`)}, ${yellow(`${s.conditional} conditional`)}`,
    `granted actions ${s.grantedActions}: ${s.usedActions} used, ${s.unusedActions} unused, ${s.unknownActions} unknown (CloudTrail cannot show them), ${s.broad} broader than used`,
    '',
  ]
  if (d.missing.length) {
    out.push(red('MISSING (used, not granted)'))
    for (const m of d.missing)
      out.push(red(`  - ${m.action} on ${m.resource}  (${m.reason}; used ${m.count}×, last ${m.lastSeen})`))
    out.push('')
  }
  if (d.conditional.length) {
    out.push(yellow('CONDITIONAL (depends on keys the recording does not show)'))
    for (const c of d.conditional)
      out.push(yellow(`  ? ${c.action} on ${c.resource}  needs ${c.keys?.join(', ')}  [${c.by.join(', ')}]`))
    out.push('')
  }
  for (const st of d.statements) {
    if (st.effect !== 'Allow') continue
    const lines: string[] = []
    for (const b of st.broad)
      lines.push(
        yellow(
          `  ~ ${b.action} granted on ${b.grantedOn.join(', ')}, used only on ${b.usedOn.slice(0, 5).join(', ')}${b.usedOn.length > 5 ? ` (+${b.usedOn.length - 5})` : ''}`,
        ),
      )
    if (st.unused.length) lines.push(dim(`  unused ${unusedLine(st.unused, st.used)}`))
    if (st.unknown.length)
      lines.push(
        dim(
          `  unknown ${st.unknown.length}: ${st.unknown.slice(0, 10).join(', ')}${st.unknown.length > 10 ? ', …' : ''}`,
        ),
      )
    out.push(terminalSafe(`${st.ref}: grants ${st.granted} actions, ${st.used.length} used`), ...lines)
  }
  return `${out.join('\n')}\n`
}

/**
 * A long unused list reads best per service: services the principal did use come first (the grant
 * is wider than the work), then the untouched ones by size. The full list is in `--format json`.
 */
function unusedLine(unused: string[], used: string[]): string {
  const services = new Map<string, number>()
  for (const a of unused) {
    const svc = a.slice(0, a.indexOf(':'))
    services.set(svc, (services.get(svc) ?? 0) + 1)
  }
  if (unused.length <= LIST_LIMIT || services.size === 1)
    return `${unused.length}: ${unused.slice(0, LIST_LIMIT).join(', ')}${unused.length > LIST_LIMIT ? `, … (+${unused.length - LIST_LIMIT}; all in --format json)` : ''}`
  const usedServices = new Set(used.map((a) => a.slice(0, a.indexOf(':'))))
  const ranked = [...services].sort(
    ([a, n], [b, m]) =>
      Number(usedServices.has(b)) - Number(usedServices.has(a)) || m - n || (a < b ? -1 : a > b ? 1 : 0),
  )
  const shown = ranked
    .slice(0, LIST_LIMIT)
    .map(([svc, n]) => `${svc} ${n}${usedServices.has(svc) ? ' (service used)' : ''}`)
  const rest = ranked.length > LIST_LIMIT ? `, … (+${ranked.length - LIST_LIMIT} services)` : ''
  return `${unused.length} actions in ${services.size} services: ${shown.join(', ')}${rest}; all in --format json`
}
