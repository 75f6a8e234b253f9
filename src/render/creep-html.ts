import type { CreepReport, PrincipalReport, TrendPoint } from '../creep/report.js'

/**
 * One self-contained HTML file: inline CSS, inline SVG charts, a few lines of inline script for
 * sortable tables. No network fetch of any kind, so it can be mailed, archived or opened offline.
 */
export function renderCreepHtml(r: CreepReport): string {
  const ranking = r.ranking
    .map((x, i) => {
      const p = r.principals.find((q) => q.principal === x.principal)!
      return `<tr><td data-v="${i + 1}">${i + 1}</td><td><a href="#p${r.principals.indexOf(p)}">${esc(x.principal)}</a></td><td data-v="${x.highRiskUnused}">${x.highRiskUnused}</td><td data-v="${x.unusedShare}">${pct(x.unusedShare)}</td><td data-v="${p.counts.granted}">${p.counts.granted}</td><td data-v="${p.counts.used}">${p.counts.used}</td><td>${x.tooYoung ? 'younger than the window' : ''}</td></tr>`
    })
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Privilege creep report ${esc(r.generatedAt.slice(0, 10))}</title>
<style>${CSS}</style></head>
<body>
<header><h1>Privilege creep report</h1>
<p>Window <b>${esc(r.window.start)}</b> → <b>${esc(r.window.end)}</b> · generated ${esc(r.generatedAt)} · ${r.principals.length} principal(s)</p></header>
<main>
<section><h2>Ranking</h2>
<table class="sortable" id="ranking"><thead><tr><th data-type="num">#</th><th>principal</th><th data-type="num">unused high-risk</th><th data-type="num">unused share</th><th data-type="num">granted</th><th data-type="num">used</th><th>note</th></tr></thead>
<tbody>${ranking}</tbody></table></section>
${r.principals.map((p, i) => principalSection(p, i)).join('\n')}
<section><h2>Coverage</h2><ul>
<li>sources: ${esc(r.coverage.sources.join('; '))}</li>
<li>regions with activity: ${esc(r.coverage.regions.join(', ') || 'none')}</li>
<li>gaps: ${r.coverage.gaps.length ? `<ul>${r.coverage.gaps.map((g) => `<li>${esc(g)}</li>`).join('')}</ul>` : 'none'}</li>
<li>blind spots: ${esc(r.coverage.blindSpots)}</li>
<li>excluded: ${esc(r.settings.exclude.join(', ') || 'nothing')}</li></ul></section>
</main>
<footer>iamtrail · ${esc(r.schema)}</footer>
<script>${SCRIPT}</script>
</body></html>
`
}

function principalSection(p: PrincipalReport, i: number): string {
  const c = p.counts
  const s = p.sinceLast
  const list = (xs: string[]) => (xs.length ? xs.map((a) => `<code>${esc(a)}</code>`).join(' ') : '—')
  return `<section class="principal" id="p${i}">
<h2>${esc(p.principal)}</h2>
${alarms(p)}
<p class="counts"><span>granted <b>${c.granted}</b></span><span>used <b>${c.used}</b></span><span>unused <b>${c.unused}</b> (${pct(c.unusedShare)})</span><span>unknown <b>${c.unknown}</b></span></p>
${p.tooYoung ? `<p class="note">Created ${esc(p.createdAt ?? '')}: younger than the window, so "unused" is not yet meaningful.</p>` : ''}
${p.missing.length ? `<h3 class="bad">Used but not granted (${p.missing.length})</h3><p class="note">The principal's real permissions are wider than the policies analysed (another policy, a group, a resource policy), or the granted input is incomplete.</p><ul>${p.missing.map((m) => `<li><code>${esc(m.action)}</code> on <code>${esc(m.resource)}</code></li>`).join('')}</ul>` : ''}
${p.highRisk.length ? `<h3>High-risk grants (${p.highRisk.length}, ${p.highRisk.filter((h) => !h.used).length} never used)</h3><table class="sortable"><thead><tr><th>grant</th><th>statement</th><th>used</th><th>why it matters</th></tr></thead><tbody>${p.highRisk.map((h) => `<tr class="${h.used ? '' : 'bad'}"><td><code>${esc(h.grant)}</code></td><td>${esc(h.statement)}</td><td>${h.used ? 'yes' : 'never'}</td><td>${esc(h.reason)}</td></tr>`).join('')}</tbody></table>` : ''}
${p.broad.length ? `<h3>Granted more broadly than used (${p.broad.length})</h3><table class="sortable"><thead><tr><th>action</th><th>granted on</th><th>used on</th></tr></thead><tbody>${p.broad.map((b) => `<tr><td><code>${esc(b.action)}</code></td><td>${esc(b.grantedOn.join(' '))}</td><td>${esc(b.usedOn.slice(0, 5).join(' '))}</td></tr>`).join('')}</tbody></table>` : ''}
${p.trend.length > 1 ? trendChart(p.trend) : ''}
${s ? `<h3>Since the last report (${esc(s.previousAt)})</h3><dl><dt>new grants (${s.newGrants.length})</dt><dd>${list(s.newGrants)}</dd><dt>grants removed (${s.removedGrants.length})</dt><dd>${list(s.removedGrants)}</dd><dt>newly used (${s.newlyUsed.length})</dt><dd>${list(s.newlyUsed)}</dd><dt>stopped being used (${s.stoppedUsed.length})</dt><dd>${list(s.stoppedUsed)}</dd></dl>` : ''}
${p.unused.length ? `<h3>Unused (${p.unused.length})</h3>${unusedByService(p)}` : ''}
<h3>Proposed replacement</h3>
${p.proposed.length ? `<pre>${esc(JSON.stringify(p.proposed.length === 1 ? p.proposed[0] : p.proposed, null, 2))}</pre>` : '<p>No activity in the window: nothing to grant. Consider removing the principal.</p>'}
</section>`
}

/**
 * What needs a reviewer first, with counts: used-but-not-granted (the analysed policies are not the
 * principal's real permissions), high-risk grants never used — an Allow with NotAction counts — and
 * how much is unused. Zero alarms says so in words, not as a row of zeros.
 */
function alarms(p: PrincipalReport): string {
  const never = p.highRisk.filter((h) => !h.used).length
  const items = [
    p.missing.length ? `<li class="bad"><b>${p.missing.length}</b> used but not granted</li>` : '',
    never ? `<li class="bad"><b>${never}</b> high-risk grant(s) never used</li>` : '',
    p.highRisk.length - never ? `<li><b>${p.highRisk.length - never}</b> high-risk grant(s) used</li>` : '',
    p.broad.length ? `<li><b>${p.broad.length}</b> granted more broadly than used</li>` : '',
  ].filter(Boolean)
  return items.length
    ? `<ul class="alarms">${items.join('')}</ul>`
    : '<p class="alarms ok">No alarms: nothing used without a grant, no high-risk grant.</p>'
}

/** A long unused list, one collapsed group per service (most unused first): 21,000 rows are unreadable. */
function unusedByService(p: PrincipalReport): string {
  const services = new Map<string, PrincipalReport['unused']>()
  for (const u of p.unused) {
    const svc = u.action.split(':')[0] ?? ''
    services.set(svc, [...(services.get(svc) ?? []), u])
  }
  return [...services]
    .sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1))
    .map(
      ([svc, us]) =>
        `<details class="service"><summary><code>${esc(svc)}</code> ${us.length}</summary><table class="sortable unused"><thead><tr><th>action</th><th data-type="date">last used</th><th>grace</th></tr></thead><tbody>${us.map((u) => `<tr><td><code>${esc(u.action)}</code></td><td data-v="${esc(u.lastUsed ?? '')}">${esc(u.lastUsed ?? 'never')}</td><td>${u.inGrace ? 'in grace' : ''}</td></tr>`).join('')}</tbody></table></details>`,
    )
    .join('\n')
}

/** Granted and used per report, oldest first, as an inline SVG line chart. */
export function trendChart(trend: readonly TrendPoint[]): string {
  const W = 560
  const H = 180
  const pad = { l: 44, r: 40, t: 14, b: 30 }
  const max = Math.max(1, ...trend.map((t) => t.granted))
  const x = (i: number) =>
    pad.l + (trend.length === 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (trend.length - 1))
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - v / max)
  const line = (pick: (t: TrendPoint) => number, cls: string) =>
    `<polyline class="${cls}" points="${trend.map((t, i) => `${x(i).toFixed(1)},${y(pick(t)).toFixed(1)}`).join(' ')}"/>` +
    trend
      .map(
        (t, i) =>
          `<circle class="${cls}" cx="${x(i).toFixed(1)}" cy="${y(pick(t)).toFixed(1)}" r="3.5"><title>${esc(t.at)}: ${cls} ${pick(t)}</title></circle>`,
      )
      .join('')
  const labels = trend
    .map(
      (t, i) =>
        `<text x="${x(i).toFixed(1)}" y="${H - 10}" text-anchor="middle">${esc(t.at.slice(0, 10))}</text>`,
    )
    .join('')
  return `<figure class="trend"><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="granted and used actions per report">
<line class="axis" x1="${pad.l}" y1="${y(0)}" x2="${W - pad.r}" y2="${y(0)}"/>
<text x="${pad.l - 6}" y="${y(max) + 4}" text-anchor="end">${max}</text><text x="${pad.l - 6}" y="${y(0) + 4}" text-anchor="end">0</text>
${line((t) => t.granted, 'granted')}${line((t) => t.used, 'used')}${labels}</svg>
<figcaption><span class="key granted"></span> granted <span class="key used"></span> used · ${trend.length} report(s)</figcaption></figure>`
}

const pct = (x: number) => `${Math.round(x * 100)}%`
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;opacity:.85}
main{padding:10px 28px 40px;max-width:1200px}section{background:#fff;border:1px solid #e2e5ea;border-radius:8px;padding:14px 18px;margin:16px 0}
h2{font-size:17px;margin:4px 0 10px;word-break:break-all}h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5;cursor:pointer;user-select:none;white-space:nowrap}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
tr.bad td,.bad b,h3.bad{color:#b42318}.alarms{font-size:1.1em}.alarms.ok{color:#1a7f37}details.service summary{cursor:pointer}.counts span{display:inline-block;margin-right:18px}.note{background:#fff7e6;padding:6px 10px;border-radius:4px}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px}pre{background:#f3f4f6;padding:10px;overflow:auto;font-size:12px}
table.unused{max-height:none}figure{margin:6px 0}svg text{font-size:11px;fill:#5b6472}.axis{stroke:#c9ced6}
polyline{fill:none;stroke-width:2}polyline.granted{stroke:#b42318}polyline.used{stroke:#1570ef}circle.granted{fill:#b42318}circle.used{fill:#1570ef}
.key{display:inline-block;width:12px;height:3px;vertical-align:middle}.key.granted{background:#b42318}.key.used{background:#1570ef}
footer{color:#8a93a1;padding:0 28px 20px;font-size:12px}`

const SCRIPT = `document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0]
    var idx = Array.prototype.indexOf.call(th.parentNode.children, th)
    var asc = th.getAttribute('aria-sort') !== 'ascending'
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort') })
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending')
    var num = th.dataset.type === 'num'
    var key = function (tr) { var td = tr.children[idx]; var v = td.dataset.v !== undefined ? td.dataset.v : td.textContent; return num ? parseFloat(v) : v }
    Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b); var c = num ? x - y : String(x).localeCompare(String(y)); return asc ? c : -c
    }).forEach(function (tr) { body.appendChild(tr) })
  })
})`
