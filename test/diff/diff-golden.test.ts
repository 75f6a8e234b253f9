import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { PolicyDiff } from '../../src/diff/diff-policy.js'
import { runCli } from '../support/run-cli.js'

/**
 * One folder per case under golden/: granted.json against fixtures/jets-deploy.ndjson; the expected
 * diff is expected.json (the JSON output, with the long unused lists reduced to counts so the file
 * stays reviewable). UPDATE_GOLDEN=1 rewrites them; review the change before committing.
 */
const here = fileURLToPath(new URL('.', import.meta.url))
const events = join(here, 'fixtures', 'jets-deploy.ndjson')
const cases = readdirSync(join(here, 'golden')).sort()

function project(d: PolicyDiff) {
  return {
    ...d,
    used: d.used.map(
      (u) =>
        `${u.decision} ${u.action} ${u.resource}${u.keys ? ` keys=${u.keys.join(',')}` : ''}${u.reason ? ` (${u.reason})` : ''}`,
    ),
    missing: d.missing.length,
    conditional: d.conditional.length,
    statements: d.statements.map((s) => ({
      ...s,
      unused: s.unused.length > 40 ? `${s.unused.length} actions` : s.unused,
      unknown: s.unknown.length,
    })),
  }
}

async function diffOf(dir: string): Promise<PolicyDiff> {
  const r = await runCli(['diff', '--granted', join(dir, 'granted.json'), events, '--format', 'json', '-q'])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as PolicyDiff
}

describe('diff golden cases', () => {
  it.each(cases)('%s', async (name) => {
    const dir = join(here, 'golden', name)
    const actual = project(await diffOf(dir))
    const file = join(dir, 'expected.json')
    if (process.env.UPDATE_GOLDEN || !existsSync(file))
      writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`)
    expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')))
  })

  // The text and markdown renderings are what people read: golden files, so every change is reviewed
  // (markdown for the case whose page is short enough to review; the others are checked below).
  it.each([
    ...cases.map((c) => [c, 'text', 'txt'] as const),
    ['jets-least-privilege', 'markdown', 'md'] as const,
  ])('%s as %s', async (name, format, ext) => {
    const dir = join(here, 'golden', name)
    const r = await runCli(['diff', '--granted', join(dir, 'granted.json'), events, '--format', format, '-q'])
    expect(r.code, r.stderr).toBe(0)
    const file = join(dir, `expected.${ext}`)
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, r.stdout)
    expect(r.stdout).toBe(readFileSync(file, 'utf8'))
  })

  it('AdministratorAccess as markdown: unused actions counted per service, not one 22,000-item line', async () => {
    const dir = join(here, 'golden', 'administrator-access')
    const r = await runCli([
      'diff',
      '--granted',
      join(dir, 'granted.json'),
      events,
      '--format',
      'markdown',
      '-q',
    ])
    expect(r.stdout).toMatch(/^\| ec2 \| \d{3,} \|$/m)
    expect(r.stdout.length).toBeLessThan(65_536)
  })

  it('AdministratorAccess: nothing missing, almost everything unused, every named use broader than needed', async () => {
    const d = await diffOf(join(here, 'golden', 'administrator-access'))
    expect(d.summary.denied).toBe(0)
    expect(d.summary.grantedActions).toBeGreaterThan(15000)
    expect(d.summary.unusedActions).toBeGreaterThan(d.summary.grantedActions * 0.99)
    // Data-event actions are unknown, never unused: CloudTrail had no data events here.
    expect(d.statements[0]!.unknown).toContain('s3:GetObject')
    expect(d.statements[0]!.unused).not.toContain('s3:GetObject')
    expect(d.statements[0]!.broad.map((b) => b.action)).toContain('lambda:CreateFunction')
  })

  it('Jets least-privilege: the hand-written policy misses what CloudFormation did for the deployer', async () => {
    const d = await diffOf(join(here, 'golden', 'jets-least-privilege'))
    const missing = d.missing.map((m) => m.action).sort()
    // The seed grants logs:DeleteLogGroup but not CreateLogGroup, and only DescribeStacks on "*".
    expect(missing).toContain('logs:CreateLogGroup')
    expect(missing).not.toContain('lambda:CreateFunction')
    expect(d.used.find((u) => u.action === 'iam:PassRole')?.decision).toBe('allowed')
  })

  it('NotAction with a Deny: the Deny wins in its region, NotAction leaves iam to the named statement', async () => {
    const d = await diffOf(join(here, 'golden', 'notaction-with-deny'))
    expect(d.missing.map((m) => `${m.action} ${m.reason}`)).toEqual(
      expect.arrayContaining(['events:PutRule explicit-deny', 'iam:PassRole no-allow']),
    )
    expect(d.used.find((u) => u.action === 'iam:CreateRole')?.decision).toBe('allowed')
    expect(d.used.find((u) => u.action === 'iam:CreateRole')?.by).toEqual(['granted.json#RolesOfTheApp'])
  })

  it('--fail-on missing sets exit code 3 for CI gates', async () => {
    const r = await runCli([
      'diff',
      '--granted',
      join(here, 'golden', 'jets-least-privilege', 'granted.json'),
      events,
      '--fail-on',
      'missing',
      '-q',
    ])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('MISSING')
    expect(r.stderr).toContain('--fail-on tripped: missing')
  })
})
