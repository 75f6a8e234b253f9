/**
 * Top entries of a V8 CPU profile (`node --cpu-prof`) by self time, as Markdown table rows:
 * `tsx bench/profile-top.ts <file.cpuprofile> [n]`. Self time per function (name + file:line),
 * summed over every node of the call tree, so a function called from many places counts once.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileEntry {
  name: string
  where: string
  ms: number
  share: number
}

export function topEntries(profile: CpuProfile, n: number): ProfileEntry[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfUs = new Map<string, { name: string; where: string; us: number }>()
  let total = 0
  // timeDeltas[i] is the time before sample i; it is the most precise self-time attribution V8 gives.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!)
    const dt = profile.timeDeltas[i] ?? 0
    if (!node) continue
    total += dt
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName || '(anonymous)'
    const where = url ? `${basename(url)}:${lineNumber + 1}` : ''
    const key = `${name}\u0000${where}`
    const e = selfUs.get(key) ?? { name, where, us: 0 }
    e.us += dt
    selfUs.set(key, e)
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((e) => ({ name: e.name, where: e.where, ms: e.us / 1000, share: total ? e.us / total : 0 }))
}

export function profileTable(path: string, n = 10): string {
  const rows = topEntries(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, n)
  return [
    '| # | self time | share | function | where |',
    '|---:|---:|---:|---|---|',
    ...rows.map(
      (r, i) =>
        `| ${i + 1} | ${r.ms.toFixed(0)} ms | ${(r.share * 100).toFixed(1)}% | \`${r.name}\` | ${r.where} |`,
    ),
  ].join('\n')
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  console.log(profileTable(process.argv[2]!, Number(process.argv[3] ?? 10)))
}
