import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import type { PolicyDocument } from '../../src/policy/document.js'
import { ACCOUNT, apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`
const deployer = roleSessionIdentity('deployer', 'gh-run-1')
const ev = (eventSource: string, eventName: string, eventTime: string, over = {}) =>
  apiCall({ eventSource, eventName, eventTime, userIdentity: deployer, ...over })

const inWindow = [
  ev('cloudformation.amazonaws.com', 'CreateStack', '2026-11-20T10:01:00Z'),
  ev('s3.amazonaws.com', 'CreateBucket', '2026-11-20T10:02:00Z', {
    resources: [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::app-assets' }],
  }),
  ev('lambda.amazonaws.com', 'CreateFunction20150331', '2026-11-20T10:03:00Z'),
]
const before = ev('ec2.amazonaws.com', 'DescribeVpcs', '2026-11-20T08:00:00Z')
const otherPrincipal = apiCall({
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser',
  userIdentity: userIdentity('admin'),
  eventTime: '2026-11-20T10:04:00Z',
})

let dir: string
let logs: string

async function put(path: string, data: string | Buffer): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, data)
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-cli-'))
  logs = join(dir, 'AWSLogs')
  const day = join(logs, ACCOUNT, 'CloudTrail', 'eu-west-1', '2026', '11', '20')
  await put(
    join(day, `${ACCOUNT}_CloudTrail_eu-west-1_20261120T1005Z_aaaa.json.gz`),
    gzipSync(JSON.stringify({ Records: [...inWindow, otherPrincipal] })),
  )
  await put(
    join(day, `${ACCOUNT}_CloudTrail_eu-west-1_20261120T0805Z_bbbb.json.gz`),
    gzipSync(JSON.stringify({ Records: [before] })),
  )
})

const policyOf = (stdout: string) => JSON.parse(stdout) as PolicyDocument
const actionsOf = (p: PolicyDocument) => p.Statement.flatMap((s) => s.Action as string[]).sort()

describe('iamtrail policy', () => {
  it('reads an S3-layout directory, selects the role and window, skips files by key', async () => {
    const r = await runCli([
      'policy',
      logs,
      '--principal',
      ROLE,
      '--start',
      '2026-11-20T10:00Z',
      '--end',
      '2026-11-20T10:30Z',
    ])
    expect(r.stderr).toContain('1 file outside the window skipped unopened')
    expect(r.code).toBe(0)
    const p = policyOf(r.stdout)
    expect(p.Version).toBe('2012-10-17')
    expect(actionsOf(p)).toEqual(['cloudformation:CreateStack', 'lambda:CreateFunction', 's3:CreateBucket'])
    expect(r.stderr).toMatch(/4 events read from 1 input/)
    expect(r.stderr).toMatch(/matched 3, mapped 3/)
  })

  it('reads lookup-events output and NDJSON from stdin', async () => {
    const lookup = join(dir, 'events.json')
    await writeFile(
      lookup,
      JSON.stringify({
        Events: inWindow.map((e) => ({ EventId: e.eventID, CloudTrailEvent: JSON.stringify(e) })),
      }),
    )
    const a = await runCli(['policy', lookup])
    const b = await runCli(['policy', '-'], { stdin: inWindow.map((e) => JSON.stringify(e)).join('\n') })
    expect(a.code).toBe(0)
    expect(b.code).toBe(0)
    expect(b.stdout).toBe(a.stdout)
  })

  it('refuses to merge several principals and lists them', async () => {
    const r = await runCli(['policy', logs])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('choose one with --principal')
    expect(r.stderr).toContain(ROLE)
    expect(r.stderr).toContain(`arn:aws:iam::${ACCOUNT}:user/admin`)
  })

  it('exits 2 and names the file and line when an input is bad, keeping the rest', async () => {
    const bad = await put(
      join(dir, 'bad', 'x.ndjson'),
      `${JSON.stringify(inWindow[0])}\n{not json\n${JSON.stringify(inWindow[1])}\n`,
    )
    const r = await runCli(['policy', bad, join(dir, 'missing.json')])
    expect(r.code).toBe(2)
    expect(actionsOf(policyOf(r.stdout))).toEqual(['cloudformation:CreateStack', 's3:CreateBucket'])
    expect(r.stderr).toContain(`${bad}:2`)
    expect(r.stderr).toContain('missing.json')
    expect(r.stderr).toContain('inputs with errors: 2')
  })

  it('skips other principals before parsing, still counts them, and still reports damaged lines', async () => {
    const lines = [otherPrincipal, ...inWindow].map((e) => JSON.stringify(e))
    const file = await put(join(dir, 'p', 'mixed.ndjson'), `${lines.join('\n')}\n{"eventSource": "s3.amaz\n`)
    const r = await runCli(['policy', file, '--principal', ROLE])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/4 events read/)
    expect(r.stderr).toMatch(/1 another principal/)
    expect(r.stderr).toContain(`${file}:5`)
    expect(actionsOf(policyOf(r.stdout))).toEqual([
      'cloudformation:CreateStack',
      'lambda:CreateFunction',
      's3:CreateBucket',
    ])
  })

  it('is deterministic: same bytes whatever the input order', async () => {
    const f1 = await put(join(dir, 'o', '1.json'), JSON.stringify({ Records: inWindow.slice(0, 2) }))
    const f2 = await put(join(dir, 'o', '2.ndjson'), JSON.stringify(inWindow[2]))
    const x = await runCli(['policy', f1, f2])
    const y = await runCli(['policy', f2, f1])
    expect(x.code).toBe(0)
    expect(y.stdout).toBe(x.stdout)
  })

  it('never overwrites --output without --force, and writes it atomically with --force', async () => {
    const out = join(dir, 'policy.json')
    await writeFile(out, 'precious')
    const r = await runCli(['policy', logs, '--principal', ROLE, '-o', out])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--force')
    expect(await readFile(out, 'utf8')).toBe('precious')
    const f = await runCli(['policy', logs, '--principal', ROLE, '-o', out, '--force'])
    expect(f.code).toBe(0)
    expect(policyOf(await readFile(out, 'utf8')).Version).toBe('2012-10-17')
  })

  it('explains a bad --principal or --start', async () => {
    expect((await runCli(['policy', logs, '--principal', 'deployer'])).stderr).toContain(
      'is not an IAM user, role',
    )
    expect((await runCli(['policy', logs, '--start', 'yesterday'])).stderr).toContain(
      '--start "yesterday" is not an ISO-8601 time',
    )
  })

  it('has --help with examples', async () => {
    const r = await runCli(['policy', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Examples:')
  })

  it('says why when every input failed, for each input, even with -q', async () => {
    const r = await runCli(['policy', '/nonexistent/a.json', '/nonexistent/b.json', '-q'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('inputs that could not be read')
    expect(r.stderr).toMatch(/\/nonexistent\/a\.json: ENOENT/)
    expect(r.stderr).toMatch(/\/nonexistent\/b\.json: ENOENT/)
  })
})
