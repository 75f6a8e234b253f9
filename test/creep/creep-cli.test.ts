import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CreepReport } from '../../src/creep/report.js'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/**
 * `iamtrail creep` end to end over files: authorization details with three roles (a deployer holding
 * wildcards, a legacy pipeline that did nothing, a service-linked role that is out of scope), the
 * bundled deploy recording and its teardown, and a history kept across three periodic runs.
 */
const AUTH = 'test/creep/fixtures/auth.json'
const DEPLOY = 'examples/cfn-lambda-deploy.rec'
const TEARDOWN = 'test/synthesize/fixtures/cfn-lambda-teardown.rec'
const DEPLOYER = 'arn:aws:iam::123456789012:role/deployer'
const LEGACY = 'arn:aws:iam::123456789012:role/pipelines/legacy-pipeline'

async function creep(args: string[]): Promise<CreepReport> {
  const r = await runCli(['creep', '-q', '--format', 'json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as CreepReport
}

describe('iamtrail creep', () => {
  it('reports every role in scope: used, unused, high-risk never used, ranked, with a replacement policy', async () => {
    const r = await creep([
      '--all-roles',
      '--granted',
      AUTH,
      '--end',
      '2026-11-22T00:00Z',
      '--window',
      '30d',
      DEPLOY,
      TEARDOWN,
    ])
    expect(r.schema).toBe('iamtrail-creep/1')
    // The service-linked role is excluded by default (--exclude-path /aws-service-role/).
    expect(r.principals.map((p) => p.principal)).toEqual([DEPLOYER, LEGACY])
    const deployer = r.principals.find((p) => p.principal === DEPLOYER)!
    expect(deployer.used).toContain('lambda:CreateFunction')
    expect(deployer.used).toContain('lambda:DeleteFunction')
    expect(deployer.unused.map((u) => u.action)).toContain('iam:CreateUser')
    expect(deployer.unused.map((u) => u.action)).not.toContain('lambda:CreateFunction')
    // kms:* was never used; iam:* was (CreateRole), but iam:CreateAccessKey on * never was.
    const risk = Object.fromEntries(deployer.highRisk.map((h) => [h.grant, h.used]))
    expect(risk['kms:*']).toBe(false)
    expect(risk['iam:*']).toBe(true)
    expect(risk['iam:CreateAccessKey on *']).toBe(false)
    expect(deployer.counts.highRiskUnused).toBeGreaterThanOrEqual(2)
    // Data-event actions are unknown, never unused.
    expect(deployer.unknown).toContain('lambda:InvokeFunction')
    expect(deployer.unused.map((u) => u.action)).not.toContain('lambda:InvokeFunction')
    expect(JSON.stringify(deployer.proposed)).toContain('lambda:CreateFunction')
    const legacy = r.principals.find((p) => p.principal === LEGACY)!
    expect(legacy.used).toEqual([])
    expect(legacy.counts.unusedShare).toBe(1)
    expect(legacy.highRisk.map((h) => h.grant)).toEqual(['iam:PassRole on *'])
    expect(legacy.proposed).toEqual([])
    // Ranked by unused high-risk grants first.
    expect(r.ranking.map((x) => x.principal)).toEqual([DEPLOYER, LEGACY])
    expect(r.coverage.blindSpots).toMatch(/Data events/)
  })

  it('flags principals younger than the window or --min-age, and honours --exclude', async () => {
    const r = await creep([
      '--all-roles',
      '--granted',
      AUTH,
      '--end',
      '2026-11-22T00:00Z',
      '--window',
      '30d',
      '--min-age',
      '700d',
      '--exclude',
      '*:role/pipelines/*',
      DEPLOY,
    ])
    expect(r.principals.map((p) => p.principal)).toEqual([DEPLOYER])
    expect(r.principals[0]!.tooYoung).toBe(true) // created 2025-01-15, less than 700 days before the end
  })

  it('keeps a history: new and removed grants, newly used, stopped being used, last use carried forward, a trend', async () => {
    const history = mkdtempSync(join(tmpdir(), 'iamtrail-creep-history-'))
    const base = ['--principal', DEPLOYER, '--window', '7d', '--history', history, DEPLOY, TEARDOWN]
    const first = await creep([...base, '--granted', AUTH, '--end', '2026-11-21T00:00Z'])
    expect(first.principals[0]!.sinceLast).toBeUndefined()
    expect(first.principals[0]!.used).not.toContain('lambda:DeleteFunction')

    const second = await creep([...base, '--granted', AUTH, '--end', '2026-11-22T00:00Z'])
    const s2 = second.principals[0]!.sinceLast!
    expect(s2.previousAt).toBe(first.window.end)
    expect(s2.newlyUsed).toContain('lambda:DeleteFunction')
    expect(s2.stoppedUsed).toEqual([])

    // The kms statement is removed before the third run; nothing happens in its window.
    const auth = JSON.parse(readFileSync(AUTH, 'utf8'))
    const role = auth.RoleDetailList[0]
    const doc = JSON.parse(decodeURIComponent(role.RolePolicyList[0].PolicyDocument))
    doc.Statement = doc.Statement.filter((s: { Sid: string }) => s.Sid !== 'Keys')
    role.RolePolicyList[0].PolicyDocument = encodeURIComponent(JSON.stringify(doc))
    const auth2 = join(history, '..', `auth-${Date.now()}.json`)
    writeFileSync(auth2, JSON.stringify(auth))
    const third = await creep([...base, '--granted', auth2, '--end', '2026-12-20T00:00Z'])
    const p3 = third.principals[0]!
    expect(p3.sinceLast!.removedGrants).toContain('kms:Decrypt')
    expect(p3.sinceLast!.stoppedUsed).toContain('lambda:CreateFunction')
    expect(p3.used).toEqual([])
    // Unused now, but the history knows when it was last used.
    expect(p3.unused.find((u) => u.action === 'lambda:CreateFunction')?.lastUsed).toMatch(/^2026-11-20T/)
    expect(p3.trend.map((t) => t.at.slice(0, 10))).toEqual(['2026-11-21', '2026-11-22', '2026-12-20'])
    expect(p3.trend.map((t) => t.used)).toEqual([
      first.principals[0]!.counts.used,
      second.principals[0]!.counts.used,
      0,
    ])
    expect(readdirSync(history).filter((f) => f.startsWith('creep-'))).toHaveLength(3)
  })

  it('golden: the JSON report after a history of three periodic runs', async () => {
    const history = mkdtempSync(join(tmpdir(), 'iamtrail-creep-golden-'))
    const base = ['--all-roles', '--granted', AUTH, '--window', '7d', '--history', history, DEPLOY, TEARDOWN]
    await creep([...base, '--end', '2026-11-21T00:00Z'])
    await creep([...base, '--end', '2026-11-22T00:00Z'])
    const third = await creep([...base, '--end', '2026-11-29T00:00Z'])
    // Only the generation time changes from run to run.
    const stable = JSON.stringify({ ...third, generatedAt: '<generated>' }, null, 2)
    const file = join(REPO_ROOT, 'test', 'creep', 'golden', 'three-runs.json')
    mkdirSync(join(REPO_ROOT, 'test', 'creep', 'golden'), { recursive: true })
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, `${stable}\n`)
    expect(`${stable}\n`).toBe(readFileSync(file, 'utf8'))
  })

  it('--grace keeps grants newer than the grace period out of the unused count', async () => {
    const history = mkdtempSync(join(tmpdir(), 'iamtrail-creep-grace-'))
    const base = ['--principal', LEGACY, '--granted', AUTH, '--window', '7d', '--history', history, DEPLOY]
    await creep([...base, '--end', '2026-11-21T00:00Z'])
    const later = await creep([...base, '--end', '2026-11-25T00:00Z', '--grace', '30d'])
    expect(later.principals[0]!.unused.every((u) => u.inGrace)).toBe(true)
    expect(later.principals[0]!.counts.unused).toBe(0)
  })

  it('writes markdown and a self-contained html page', async () => {
    const md = await runCli([
      'creep',
      '-q',
      '--all-roles',
      '--granted',
      AUTH,
      '--end',
      '2026-11-22T00:00Z',
      DEPLOY,
    ])
    expect(md.code, md.stderr).toBe(0)
    expect(md.stdout).toContain('## Ranking')
    expect(md.stdout).toContain('| `kms:*` | deployer/deploy#Keys | **never** |')
    const html = await runCli([
      'creep',
      '-q',
      '--format',
      'html',
      '--all-roles',
      '--granted',
      AUTH,
      '--end',
      '2026-11-22T00:00Z',
      DEPLOY,
    ])
    expect(html.stdout).toMatch(/^<!doctype html>/)
    expect(html.stdout).not.toMatch(/(src|href)="(https?:)?\/\//)
  })

  it('html puts the alarms first with counts, groups unused by service collapsed, no one-point chart', async () => {
    const r = await runCli([
      'creep',
      '-q',
      '--format',
      'html',
      '--all-roles',
      '--granted',
      AUTH,
      '--end',
      '2026-11-22T00:00Z',
      DEPLOY,
    ])
    expect(r.code, r.stderr).toBe(0)
    const section = r.stdout.slice(r.stdout.indexOf('<section class="principal"'))
    const first = section.slice(0, section.indexOf('</section>'))
    // The alarm list comes before the counts and every list, and says how many.
    expect(first.indexOf('class="alarms')).toBeGreaterThan(-1)
    expect(first.indexOf('class="alarms')).toBeLessThan(first.indexOf('class="counts"'))
    expect(first).toMatch(/<li class="bad"><b>\d+<\/b> high-risk grant\(s\) never used<\/li>/)
    // Unused actions: one collapsed <details> per service with its count, not one flat table.
    const groups = [
      ...first.matchAll(/<details class="service"><summary><code>([^<]+)<\/code> (\d+)<\/summary>/g),
    ]
    expect(groups.length).toBeGreaterThan(0)
    expect(first).not.toContain('<details class="service" open')
    const total = groups.reduce((n, g) => n + Number(g[2]), 0)
    expect(first).toContain(`<h3>Unused (${total})</h3>`)
    // One report is one point: no trend chart until there is a history.
    expect(r.stdout).not.toContain('figure class="trend"')
  })

  it('says what is wrong: no principals, an unknown source', async () => {
    expect((await runCli(['creep', '--granted', AUTH, DEPLOY])).stderr).toContain('no principals in scope')
    expect(
      (await runCli(['creep', '--source', 'cloudwatch', '--principal', DEPLOYER, '--granted', AUTH, DEPLOY]))
        .stderr,
    ).toMatch(/--source cloudwatch: use files, athena, lookup/)
  })
})
