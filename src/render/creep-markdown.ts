import type { CreepReport, PrincipalReport } from '../creep/report.js'
import { mdCode, mdFence, mdText } from './escape.js'

const pct = (x: number) => `${Math.round(x * 100)}%`
const LIST = 40

/** The creep report as Markdown: ranking first, then one section per principal, then coverage. */
export function renderCreepMarkdown(r: CreepReport): string {
  const out: string[] = [
    '# Privilege creep report',
    '',
    `Window ${r.window.start} → ${r.window.end} · generated ${r.generatedAt} · ${r.principals.length} principal(s)`,
    '',
    '## Ranking',
    '',
    '| # | principal | unused high-risk | unused share | granted | used | note |',
    '|---:|---|---:|---:|---:|---:|---|',
  ]
  for (const [i, x] of r.ranking.entries()) {
    const p = r.principals.find((q) => q.principal === x.principal)!
    out.push(
      `| ${i + 1} | ${mdCode(x.principal)} | ${x.highRiskUnused} | ${pct(x.unusedShare)} | ${p.counts.granted} | ${p.counts.used} | ${x.tooYoung ? 'younger than the window' : ''} |`,
    )
  }
  out.push('')
  for (const p of r.principals) out.push(...principalSection(p))
  out.push(
    '## Coverage',
    '',
    `- sources: ${mdText(r.coverage.sources.join('; '))}`,
    `- regions with activity: ${r.coverage.regions.join(', ') || 'none'}`,
    `- gaps: ${r.coverage.gaps.length ? '' : 'none'}`,
    ...r.coverage.gaps.map((g) => `  - ${mdText(g)}`),
    `- blind spots: ${r.coverage.blindSpots}`,
    `- excluded: ${mdText(r.settings.exclude.join(', ')) || 'nothing'}${r.settings.grace ? ` · grace ${r.settings.grace}` : ''}${r.settings.minAge ? ` · min age ${r.settings.minAge}` : ''}`,
    '',
  )
  return out.join('\n')
}

function principalSection(p: PrincipalReport): string[] {
  const c = p.counts
  const out = [
    `## ${mdCode(p.principal, { inTable: false })}`,
    '',
    `Granted ${c.granted} actions · used ${c.used} · unused ${c.unused} (${pct(c.unusedShare)}) · unknown ${c.unknown} · unused high-risk ${c.highRiskUnused}`,
    '',
  ]
  const never = p.highRisk.filter((h) => !h.used).length
  const alarms = [
    p.missing.length ? `**${p.missing.length} used but not granted**` : '',
    never ? `**${never} high-risk grant(s) never used**` : '',
    p.broad.length ? `${p.broad.length} granted more broadly than used` : '',
  ].filter(Boolean)
  out.splice(
    2,
    0,
    alarms.length
      ? `> Alarms: ${alarms.join(' · ')}`
      : '> No alarms: nothing used without a grant, no unused high-risk grant.',
    '',
  )
  if (p.tooYoung)
    out.push(`> Created ${p.createdAt}: younger than the window, so "unused" is not yet meaningful.`, '')
  if (p.trend.length > 1)
    out.push(
      `Trend (granted/used): ${p.trend.map((t) => `${t.at.slice(0, 10)} ${t.granted}/${t.used}`).join(' → ')}`,
      '',
    )
  const s = p.sinceLast
  if (s) {
    out.push(`### Since the last report (${s.previousAt})`, '')
    const line = (label: string, xs: string[]) =>
      out.push(
        `- ${label} (${xs.length}): ${
          xs.length
            ? xs
                .slice(0, LIST)
                .map((a) => mdCode(a, { inTable: false }))
                .join(', ')
            : '—'
        }${xs.length > LIST ? ' …' : ''}`,
      )
    line('new grants', s.newGrants)
    line('grants removed', s.removedGrants)
    line('newly used', s.newlyUsed)
    line('stopped being used', s.stoppedUsed)
    out.push('')
  }
  if (p.highRisk.length) {
    out.push('### High-risk grants', '', '| grant | statement | used | why it matters |', '|---|---|---|---|')
    for (const h of p.highRisk)
      out.push(
        `| ${mdCode(h.grant)} | ${mdText(h.statement)} | ${h.used ? 'yes' : '**never**'} | ${h.reason} |`,
      )
    out.push('')
  }
  if (p.missing.length) {
    out.push(`### Used but not granted (${p.missing.length})`, '')
    for (const m of p.missing)
      out.push(`- ${mdCode(m.action, { inTable: false })} on ${mdCode(m.resource, { inTable: false })}`)
    out.push('')
  }
  if (p.broad.length) {
    out.push('### Granted more broadly than used', '', '| action | granted on | used on |', '|---|---|---|')
    for (const b of p.broad)
      out.push(
        `| ${mdCode(b.action)} | ${b.grantedOn.map((x) => mdCode(x)).join(' ')} | ${b.usedOn
          .slice(0, 5)
          .map((x) => mdCode(x))
          .join(' ')} |`,
      )
    out.push('')
  }
  if (p.unused.length) {
    const services = new Map<string, number>()
    for (const u of p.unused)
      services.set(u.action.split(':')[0]!, (services.get(u.action.split(':')[0]!) ?? 0) + 1)
    out.push(`### Unused (${p.unused.length})`, '')
    const known = p.unused.filter((u) => u.lastUsed || u.inGrace)
    if (known.length) {
      out.push('| action | last used | |', '|---|---|---|')
      for (const u of known)
        out.push(`| ${mdCode(u.action)} | ${u.lastUsed ?? '—'} | ${u.inGrace ? 'in grace' : ''} |`)
      out.push('')
    }
    out.push(
      `Never used in the window or the history, by service: ${[...services]
        .sort(([, a], [, b]) => b - a)
        .map(([svc, n]) => `${svc} ${n}`)
        .join(', ')}`,
      '',
    )
  }
  out.push('### Proposed replacement', '')
  if (p.proposed.length)
    out.push(
      ...mdFence('json', JSON.stringify(p.proposed.length === 1 ? p.proposed[0] : p.proposed, null, 2)),
      '',
    )
  else out.push('No activity in the window: nothing to grant. Consider removing the principal.', '')
  return out
}
