import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DuckDBConnection } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readManifest, readRecordingEvents } from '../../src/collect/recording.js'
import { FindingList } from '../../src/findings.js'
import { cloudTrailTable } from '../support/athena-table.js'
import { type FakeAthena, startFakeAthena } from '../support/fake-athena-server.js'
import { runCli } from '../support/run-cli.js'

/**
 * `collect --source athena` end to end and for real: the CLI sends queries/principal-events.sql to
 * Athena over HTTP (the fake, via AWS_ENDPOINT_URL_ATHENA), which runs that very text on DuckDB
 * over the bundled deploy's events laid out like the Athena CloudTrail table; the rows come back in
 * pages, become events, a recording, and the same policy as the original recording.
 */
const EXAMPLE = 'examples/cfn-lambda-deploy.rec'
let con: DuckDBConnection
let athena: FakeAthena
const dir = mkdtempSync(join(tmpdir(), 'iamtrail-athena-cli-'))

beforeAll(async () => {
  con = await cloudTrailTable(await readRecordingEvents(EXAMPLE, new FindingList()), 'security.cloudtrail')
  athena = await startFakeAthena(con)
})
afterAll(async () => athena.close())

const env = () => ({
  AWS_ENDPOINT_URL_ATHENA: athena.url,
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
  CI: 'true',
})
const base = [
  'collect',
  '--source',
  'athena',
  '--database',
  'security',
  '--table',
  'cloudtrail',
  '--workgroup',
  'iamtrail',
  '--output-location',
  's3://athena-results/iamtrail/',
  '--principal',
  'arn:aws:iam::123456789012:role/deployer',
  '--start',
  '2026-11-20T10:00Z',
  '--end',
  '2026-11-20T11:00Z',
]

describe('iamtrail collect --source athena', () => {
  it('runs the real query with bound parameters, pages the results, saves a recording that gives the same policy', async () => {
    const out = join(dir, 'athena.rec')
    const r = await runCli(
      [...base, '--regions', 'eu-west-1,us-east-1', '--accounts', '123456789012', '-o', out],
      { env: env() },
    )
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim()).toBe(out)
    expect(r.stderr).toMatch(/RUNNING/)
    expect(r.stderr).toMatch(/123\.5 MB scanned, about \$0\.0006/)
    const q = athena.started.at(-1)!
    expect(q.sql).toContain('FROM security.cloudtrail')
    expect(q.workgroup).toBe('iamtrail')
    expect(q.outputLocation).toBe('s3://athena-results/iamtrail/')
    expect(q.params).toContain('arn:aws:iam::123456789012:role/deployer')
    expect(q.params).toContain(',123456789012,')
    const m = await readManifest(out)
    expect(m.sources).toEqual(['athena'])
    expect(m.athena?.scannedBytes).toBe(123_456_789)
    expect(m.counts.events).toBe(17)
    const fromAthena = await runCli(['policy', '-q', out])
    const original = await runCli(['policy', '-q', EXAMPLE])
    expect(fromAthena.code, fromAthena.stderr).toBe(0)
    expect(fromAthena.stdout).toBe(original.stdout)
  })

  it('prunes regions and accounts in the engine', async () => {
    const r = await runCli([...base, '--regions', 'us-east-1', '-o', join(dir, 'us.rec')], { env: env() })
    expect(r.code, r.stderr).toBe(0)
    const m = await readManifest(join(dir, 'us.rec'))
    expect(Object.keys(m.counts.perRegion)).toEqual(['us-east-1'])
    const none = await runCli([...base, '--accounts', '999999999999', '-o', join(dir, 'none.rec')], {
      env: env(),
    })
    expect((await readManifest(join(dir, 'none.rec'))).counts.events).toBe(0)
    expect(none.code).toBe(0)
  })

  it('stops a query that scans more than --max-scan-gb, and says so', async () => {
    const r = await runCli([...base, '--max-scan-gb', '0.05', '-o', join(dir, 'big.rec')], { env: env() })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/more than --max-scan-gb/)
    expect(athena.stopped.length).toBeGreaterThan(0)
  })

  it('needs --database and --table, and validates them', async () => {
    const r = await runCli(
      [
        'collect',
        '--source',
        'athena',
        '--principal',
        'arn:aws:iam::123456789012:role/deployer',
        '--start',
        '2026-11-20T10:00Z',
      ],
      { env: env() },
    )
    expect(r.stderr).toContain('--database and --table')
    const bad = await runCli([...base.slice(0, 4), 'x;drop', ...base.slice(5)], { env: env() })
    expect(bad.stderr).toContain('letters, digits and _ only')
  })
})

describe('iamtrail creep --source athena', () => {
  it('reads each principal’s window through Athena', async () => {
    const r = await runCli(
      [
        'creep',
        '--source',
        'athena',
        '--database',
        'security',
        '--table',
        'cloudtrail',
        '--principal',
        'arn:aws:iam::123456789012:role/deployer',
        '--granted',
        'test/creep/fixtures/auth.json',
        '--end',
        '2026-11-21T00:00Z',
        '--window',
        '7d',
        '--format',
        'json',
        '-q',
      ],
      { env: env() },
    )
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout) as {
      principals: { used: string[] }[]
      coverage: { sources: string[] }
    }
    expect(report.principals[0]!.used).toContain('lambda:CreateFunction')
    expect(report.coverage.sources).toEqual(['athena'])
  })
})

describe('iamtrail queries', () => {
  it('install runs the DDL through Athena; print fills the layout in', async () => {
    const args = [
      '--database',
      'security',
      '--table',
      'cloudtrail',
      '--bucket',
      's3://trail-logs/',
      '--accounts',
      '123456789012',
      '--regions',
      'eu-west-1',
    ]
    const r = await runCli(['queries', 'install', ...args, '--output-location', 's3://athena-results/'], {
      env: env(),
    })
    expect(r.code, r.stderr).toBe(0)
    expect(athena.started.at(-1)!.sql).toMatch(/CREATE EXTERNAL TABLE IF NOT EXISTS security\.cloudtrail/)
    const p = await runCli(['queries', 'print', 'cloudtrail-table-account', ...args])
    expect(p.stdout).toContain("LOCATION 's3://trail-logs/AWSLogs/'")
    expect(p.stdout).toBe(
      athena.started
        .at(-1)!
        .sql.replace(/\d{4}\/\d{2}\/\d{2},NOW/, p.stdout.match(/\d{4}\/\d{2}\/\d{2},NOW/)![0]),
    )
  })
})
