import { describe, expect, it } from 'vitest'
import type { PolicyDiff } from '../../src/diff/diff-policy.js'
import { runCli } from '../support/run-cli.js'

/** A markdown diff is posted as a pull-request comment: GitHub takes at most 65,536 characters. */
const GITHUB_COMMENT_LIMIT = 65_536
const args = [
  'diff',
  '--granted',
  'arn:aws:iam::aws:policy/AdministratorAccess',
  'examples/cfn-lambda-deploy.rec',
  '-q',
]

describe('diff --format markdown against AdministratorAccess (issue 16, first use)', () => {
  it('summarizes the unused grants by service so it fits a PR comment; --full and JSON list every action', async () => {
    const [md, full, json] = await Promise.all([
      runCli([...args, '--format', 'markdown']),
      runCli([...args, '--format', 'markdown', '--full']),
      runCli([...args, '--format', 'json']),
    ])
    for (const r of [md, full, json]) expect(r.code, r.stderr).toBe(0)
    const d = JSON.parse(json.stdout) as PolicyDiff
    const unused = d.statements[0]!.unused
    expect(unused.length).toBeGreaterThan(20_000)
    const perService = new Map<string, number>()
    for (const a of unused) perService.set(a.split(':')[0]!, (perService.get(a.split(':')[0]!) ?? 0) + 1)

    expect(md.stdout.length).toBeLessThan(GITHUB_COMMENT_LIMIT / 2)
    expect(md.stdout).toContain(`${unused.length} actions in ${perService.size} services`)
    expect(md.stdout).toContain('`--full`')
    // Counts per service, most unused first, and no action names.
    const unusedSection = md.stdout.slice(md.stdout.indexOf('## Unused in'))
    const rows = [...unusedSection.matchAll(/^\| ([a-z0-9-]+) \| (\d+) \|$/gm)].map((m) => [
      m[1]!,
      Number(m[2]),
    ])
    expect(rows).toHaveLength(perService.size)
    for (const [svc, n] of rows) expect(n, String(svc)).toBe(perService.get(String(svc)))
    const counts = rows.map(([, n]) => Number(n))
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
    expect(rows[0]![0]).toBe('ec2')
    expect(md.stdout).not.toContain('`RunInstances`')

    // --full restores every unused action, by name.
    expect(full.stdout.length).toBeGreaterThan(md.stdout.length)
    const named = new Set(
      [...full.stdout.matchAll(/^\| ([a-z0-9-]+) \| \d+ \| (.*) \|$/gm)].flatMap((m) =>
        [...m[2]!.matchAll(/`([^`]+)`/g)].map((x) => `${m[1]}:${x[1]}`),
      ),
    )
    expect(named.size).toBe(unused.length)
    for (const a of unused) expect(named.has(a), a).toBe(true)
  })
})
