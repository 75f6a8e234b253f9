import { asArray, type PolicyDocument } from '../policy/document.js'
import type { Usage, UsedGrant } from '../reduce/usage.js'
import type { Generalization } from '../synthesize/generalize.js'
import { mdCode, mdFence, mdText } from './escape.js'

export interface MarkdownOptions {
  describe: (action: string) => string | undefined
  generalizations: Generalization[]
  sizes: number[]
  dataVersion: string
  /** Headings this many levels down: one section of a document about several identities. */
  depth?: number
}

/**
 * The permission table people review: per service, each permission with what it does (from the
 * Service Authorization Reference) and the evidence for it; inferred grants and denied calls apart.
 */
export function renderMarkdown(usage: Usage, docs: PolicyDocument[], opts: MarkdownOptions): string {
  const h = (level: number) => '#'.repeat(level + (opts.depth ?? 0))
  const out: string[] = [
    `${h(1)} Least-privilege policy for ${mdText(usage.principal)}`,
    '',
    `Evidence: ${usage.grants.reduce((n, g) => n + g.evidence.count, 0)} grant uses${usage.recordings.length ? ` from recordings ${usage.recordings.map(mdText).join(', ')}` : ''}, regions ${usage.regions.join(', ') || '—'}${usage.window?.start ? `, window ${usage.window.start} – ${usage.window.end ?? 'open'}` : ''}.`,
    `Policy: ${docs.length} document(s), ${opts.sizes.map((s) => `${s} characters`).join(', ')} (managed policy limit 6,144). Service Authorization Reference ${opts.dataVersion}.`,
    '',
  ]
  const direct = usage.grants.filter((g) => !g.inferred && g.evidence.denied < g.evidence.count)
  const inferred = usage.grants.filter((g) => g.inferred)
  const denied = usage.grants.filter((g) => g.evidence.denied > 0)
  const byService = new Map<string, UsedGrant[]>()
  for (const g of direct) {
    const s = g.action.split(':')[0]!
    byService.set(s, [...(byService.get(s) ?? []), g])
  }
  out.push(`${h(2)} Permissions by service`, '')
  for (const [service, grants] of [...byService.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(
      `${h(3)} ${mdText(service)}`,
      '',
      '| permission | what it does | evidence | resources |',
      '|---|---|---|---|',
    )
    for (const [action, gs] of groupBy(grants, (g) => g.action)) {
      out.push(
        `| ${mdCode(action)} | ${mdText(opts.describe(action) ?? '')} | ${mdText(evidence(gs))} | ${gs.map((g) => mdCode(g.resource)).join('<br>')} |`,
      )
    }
    out.push('')
  }
  if (inferred.length) {
    out.push(
      `${h(2)} Inferred permissions (no event shows them)`,
      '',
      '| permission | resource | condition | inferred by | from calls |',
      '|---|---|---|---|---|',
    )
    for (const g of inferred) {
      out.push(
        `| ${mdCode(g.action)} | ${mdCode(g.resource)} | ${g.condition ? mdCode(JSON.stringify(g.condition)) : ''} | ${mdText(g.rules.join(', '))} | ${mdText(evidence([g]))} |`,
      )
    }
    out.push('')
  }
  if (denied.length) {
    out.push(
      `${h(2)} Denied during the recording (needed, and missing then)`,
      '',
      '| permission | resource | denied calls | error codes |',
      '|---|---|---|---|',
    )
    for (const g of denied)
      out.push(
        `| ${mdCode(g.action)} | ${mdCode(g.resource)} | ${g.evidence.denied} of ${g.evidence.count} | ${mdText(g.evidence.errorCodes.join(', '))} |`,
      )
    out.push('')
  }
  if (usage.unmapped.length || usage.excluded.length) {
    out.push(`${h(2)} Not in the policy`, '', '| call | count | why |', '|---|---:|---|')
    for (const u of usage.unmapped)
      out.push(`| ${mdCode(u.call)} | ${u.count} | unmapped: ${mdText(u.reason)} |`)
    for (const e of usage.excluded)
      out.push(`| ${mdCode(e.call)} | ${e.count} | excluded: ${mdText(e.reason)} |`)
    out.push('')
  }
  if (opts.generalizations.length) {
    out.push(
      `${h(2)} Generalized resource names`,
      '',
      'Only names the recordings created widen, and only their generated parts; everything else keeps its exact ARN.',
      '',
      '| resource type | recorded | granted | what widened | evidence | scope |',
      '|---|---|---|---|---|---|',
    )
    for (const g of opts.generalizations)
      out.push(
        `| ${mdText(g.type)} | ${g.from.map((f) => mdCode(f)).join('<br>')} | ${mdCode(g.to)} | ${mdText(g.why)} | ${g.evidence.map(mdText).join('<br>')} | ${[...g.scope.map(mdText), ...(g.risk ? [`risk: ${mdText(g.risk)}`] : [])].join('<br>') || 'the name itself'} |`,
      )
    out.push('')
  }
  out.push(`${h(2)} Policy`, '')
  for (const d of docs) out.push(...mdFence('json', JSON.stringify(d, null, 2)), '')
  const statementCount = docs.reduce((n, d) => n + d.Statement.length, 0)
  out.push(
    `${statementCount} statements, ${new Set(docs.flatMap((d) => d.Statement.flatMap((s) => asArray(s.Action)))).size} actions.`,
    '',
  )
  return out.join('\n')
}

function evidence(gs: UsedGrant[]): string {
  const count = gs.reduce((n, g) => n + g.evidence.count, 0)
  const first = gs.map((g) => g.evidence.firstSeen).sort()[0]
  const last = gs
    .map((g) => g.evidence.lastSeen)
    .sort()
    .at(-1)
  const via = [...new Set(gs.flatMap((g) => g.evidence.via))].sort()
  const recs = [...new Set(gs.flatMap((g) => g.evidence.recordings))].sort()
  const example = gs.map((g) => g.evidence.exampleEventId).sort()[0]
  return `${count} call(s), ${first}${last !== first ? ` – ${last}` : ''}, e.g. event ${example}; ${via.map((v) => (v === 'direct' ? 'direct' : `via ${v}`)).join(', ')}${recs.length ? `; in ${recs.join(', ')}` : ''}`
}

function groupBy<T>(xs: T[], key: (x: T) => string): [string, T[]][] {
  const m = new Map<string, T[]>()
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x])
  return [...m.entries()]
}
