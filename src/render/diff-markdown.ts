import type { PolicyDiff } from '../diff/diff-policy.js'
import { mdCode, mdText } from './escape.js'

export interface DiffMarkdownOptions {
  /** Every unused action by name; without it a long list is counts per service (a PR comment's size). */
  full?: boolean
}

export function renderDiffMarkdown(d: PolicyDiff, opts: DiffMarkdownOptions = {}): string {
  const s = d.summary
  const out = [
    `# Granted vs used: ${mdText(d.principal)}`,
    '',
    '| | count |',
    '|---|---:|',
    `| used grants | ${s.usedGrants} |`,
    `| allowed | ${s.allowed} |`,
    `| **missing** | ${s.denied} |`,
    `| conditional | ${s.conditional} |`,
    `| granted actions | ${s.grantedActions} |`,
    `| unused actions | ${s.unusedActions} |`,
    `| unknown (CloudTrail cannot show) | ${s.unknownActions} |`,
    `| broader than used | ${s.broad} |`,
    '',
  ]
  if (d.missing.length) {
    out.push('## Missing', '', '| action | resource | why | used | last seen |', '|---|---|---|---:|---|')
    for (const m of d.missing)
      out.push(
        `| ${mdCode(m.action)} | ${mdCode(m.resource)} | ${mdText(m.reason ?? '')} | ${m.count} | ${mdText(m.lastSeen)} |`,
      )
    out.push('')
  }
  if (d.conditional.length) {
    out.push('## Conditional', '', '| action | resource | unknown keys |', '|---|---|---|')
    for (const c of d.conditional)
      out.push(`| ${mdCode(c.action)} | ${mdCode(c.resource)} | ${mdText(c.keys?.join(', ') ?? '')} |`)
    out.push('')
  }
  out.push(
    '## Statements',
    '',
    '| statement | effect | granted | used | unused | unknown | broad |',
    '|---|---|---:|---:|---:|---:|---:|',
  )
  for (const st of d.statements)
    out.push(
      `| ${mdText(st.ref)} | ${st.effect} | ${st.granted} | ${st.used.length} | ${st.unused.length} | ${st.unknown.length} | ${st.broad.length} |`,
    )
  out.push('')
  const broad = d.statements.flatMap((st) => st.broad.map((b) => ({ st: st.ref, ...b })))
  if (broad.length) {
    out.push('## Broader than used', '', '| statement | action | granted on | used on |', '|---|---|---|---|')
    for (const b of broad)
      out.push(
        `| ${mdText(b.st)} | ${mdCode(b.action)} | ${b.grantedOn.map((r) => mdCode(r)).join(' ')} | ${b.usedOn.map((r) => mdCode(r)).join(' ')} |`,
      )
    out.push('')
  }
  for (const st of d.statements) {
    if (!st.unused.length) continue
    out.push(
      `## Unused in ${mdText(st.ref)} (${st.unused.length})`,
      '',
      ...unusedBlock(st.unused, opts.full === true),
      '',
    )
  }
  return out.join('\n')
}

/**
 * A short list as is; a long one (AdministratorAccess: 22,000 actions) as counts per service, most
 * unused first, so the page fits a pull-request comment (GitHub takes 65,536 characters). `full`
 * lists every action of each service instead; JSON always has them all.
 */
function unusedBlock(unused: string[], full: boolean): string[] {
  if (unused.length <= 60) return [unused.map((a) => `\`${a}\``).join(', ')]
  const services = new Map<string, string[]>()
  for (const a of unused) {
    const svc = a.slice(0, a.indexOf(':'))
    const list = services.get(svc)
    if (list) list.push(a)
    else services.set(svc, [a])
  }
  const sorted = [...services].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))
  if (full)
    return [
      '| service | unused | actions |',
      '|---|---:|---|',
      ...sorted.map(
        ([svc, list]) =>
          `| ${svc} | ${list.length} | ${list.map((a) => `\`${a.slice(svc.length + 1)}\``).join(' ')} |`,
      ),
    ]
  return [
    `${unused.length} actions in ${services.size} ${services.size === 1 ? 'service' : 'services'}, by service (every action: \`--full\`, or \`--format json\`):`,
    '',
    '| service | unused |',
    '|---|---:|',
    ...sorted.map(([svc, list]) => `| ${svc} | ${list.length} |`),
  ]
}
