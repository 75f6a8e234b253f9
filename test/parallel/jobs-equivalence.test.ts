import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import { type FileStats, listInputs, readInputs } from '../../src/collect/files/files.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { needleFor, type PrincipalSelector, parsePrincipal } from '../../src/events/principal.js'
import { FindingList } from '../../src/findings.js'
import { SliceMerger } from '../../src/parallel/merge-slices.js'
import { type ReadableUnit, reduceSlice } from '../../src/parallel/slice.js'
import { ReducePool } from '../../src/parallel/worker-pool.js'
import { usageFromInputs } from '../../src/pipeline.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import { reduceEvents } from '../../src/reduce/reduce-events.js'
import { buildPolicy, DEFAULT_BUILD } from '../../src/synthesize/build-policy.js'
import { ACCOUNT, apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'
import { runCli } from '../support/run-cli.js'
import { BERT_JAN, INVICTUS_LOGS, REPO_ROOT, sharedData } from '../support/shared-data.js'

const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`
const deployer = roleSessionIdentity('deployer', 'gh-run-1')
const admin = userIdentity('admin')
let clock = 0
const ev = (eventSource: string, eventName: string, over: Partial<CloudTrailEvent> = {}) =>
  apiCall({
    eventSource,
    eventName,
    userIdentity: deployer,
    eventTime: new Date(Date.UTC(2026, 10, 20, 10, 0, clock++)).toISOString().replace('.000', ''),
    ...over,
  })
const addRole = (profile: string, role: string) =>
  ev('iam.amazonaws.com', 'AddRoleToInstanceProfile', {
    requestParameters: { instanceProfileName: profile, roleName: role },
  })
const runInstances = (profile: string) =>
  ev('ec2.amazonaws.com', 'RunInstances', {
    requestParameters: { instanceType: 't3.micro', iamInstanceProfile: { name: profile } },
  })

let dir: string
let logs: string
let ndjson: string
const EXAMPLE = join(REPO_ROOT, 'examples', 'cfn-lambda-deploy.rec')

async function put(path: string, data: string | Buffer): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, data)
}

/**
 * Files in S3 layout whose merge is not a plain sum: an instance profile whose role one file teaches
 * and a later file uses (resolved at the call in one pass, only by the merge across slices), one whose
 * role comes after its use, the same profile re-pointed to another role, first-seen reasons of
 * unmapped and excluded calls, other principals, and broken files (findings, files with errors).
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-jobs-'))
  logs = join(dir, 'AWSLogs')
  const day = join(logs, ACCOUNT, 'CloudTrail', 'eu-west-1', '2026', '11', '20')
  const files: (CloudTrailEvent[] | Buffer | string)[] = [
    [addRole('web-profile', 'web-role'), ev('sts.amazonaws.com', 'GetCallerIdentity')],
    [
      ev('s3.amazonaws.com', 'CreateBucket', { requestParameters: { bucketName: 'app-assets' } }),
      ev('madeup.amazonaws.com', 'DoThing'),
    ],
    [runInstances('web-profile'), runInstances('batch-profile'), runInstances('never-profile')],
    gzipSync(JSON.stringify({ Records: [ev('s3.amazonaws.com', 'ListBuckets')] })).subarray(0, 40),
    // Damaged, but it names the deployer: parsed, and reported.
    `{"Records": [ {"userIdentity": {"arn": "arn:aws:sts::${ACCOUNT}:assumed-role/deployer/x"`,
    [
      apiCall({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', userIdentity: admin }),
      ev('s3.amazonaws.com', 'PutObject', {
        errorCode: 'AccessDenied',
        requestParameters: { bucketName: 'app-assets', key: 'index.html' },
      }),
    ],
    [addRole('batch-profile', 'batch-role'), ev('madeup.amazonaws.com', 'DoOtherThing')],
  ]
  // Filler so that slices of several sizes (single files, then full slices) cut through the stream.
  for (let i = 0; i < 40; i++) {
    files.push([
      ev('ssm.amazonaws.com', 'GetParameter', { requestParameters: { name: `/app/param-${i % 7}` } }),
      ...(i === 20 ? [addRole('web-profile', 'web-role-2'), runInstances('web-profile')] : []),
      ...(i % 9 === 0 ? [runInstances('batch-profile')] : []),
      apiCall({ eventSource: 'sqs.amazonaws.com', eventName: 'ListQueues', userIdentity: admin }),
    ])
  }
  for (const [i, content] of files.entries()) {
    const name = `${ACCOUNT}_CloudTrail_eu-west-1_20261120T${String(1000 + i).slice(-4)}Z_f${i}.json${typeof content === 'string' ? '' : '.gz'}`
    await put(
      join(day, name),
      Array.isArray(content) ? gzipSync(JSON.stringify({ Records: content })) : content,
    )
  }
  ndjson = join(dir, 'more.ndjson')
  await put(
    ndjson,
    `${[runInstances('web-profile'), ev('ec2.amazonaws.com', 'DescribeVpcs')].map((e) => JSON.stringify(e)).join('\n')}\n{"eventSource": "ec2.amazon\n`,
  )
})

async function run(jobs: number, inputs: string[], principal?: PrincipalSelector) {
  const sink = new FindingList()
  const req = { inputs, window: {}, sink, jobs }
  const result = await usageFromInputs(principal ? { ...req, principal } : req)
  const built = buildPolicy(result.usage, result.catalog, { ...DEFAULT_BUILD })
  return { usage: result.usage, stats: result.stats, findings: sink.items, policy: JSON.stringify(built) }
}

describe('--jobs: the same result with worker threads as in one pass', () => {
  it('usage, stats, findings and policy are identical for --jobs 1 and 2, broken files included', async () => {
    const inputs = [logs, ndjson]
    const principal = parsePrincipal(ROLE)
    const one = await run(1, inputs, principal)
    const two = await run(2, inputs, principal)
    const three = await run(3, inputs, principal)
    expect(two).toStrictEqual(one)
    expect(three).toStrictEqual(one)
    // The fixture exercises what it is meant to: the merge resolves a profile taught by an earlier file.
    const passRoles = one.usage.grants.filter((g) => g.action === 'iam:PassRole').map((g) => g.resource)
    expect(passRoles).toEqual(
      expect.arrayContaining([
        `arn:aws:iam::${ACCOUNT}:role/web-role`,
        `arn:aws:iam::${ACCOUNT}:role/web-role-2`,
        `arn:aws:iam::${ACCOUNT}:role/batch-role`,
      ]),
    )
    expect(one.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['input.truncated-gzip', 'input.invalid-json', 'inference.unresolved']),
    )
    expect(one.stats.filesWithErrors).toBe(3)
    expect(one.usage.unmapped.map((u) => u.call)).toEqual([
      'madeup.amazonaws.com:DoOtherThing',
      'madeup.amazonaws.com:DoThing',
    ])
  })

  it('merging every file as its own slice gives the single pass, whatever the cut', async () => {
    const principal = parsePrincipal(ROLE)
    const units: ReadableUnit[] = []
    const stats: FileStats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
    for await (const u of listInputs([logs, ndjson], {}, stats)) if (u.kind !== 'unlisted') units.push(u)
    const needle = needleFor(principal)
    const catalog = new Catalog()
    const opts = { window: {}, principal, ...(needle ? { needle } : {}) }
    for (const size of [1, 2, 5]) {
      const sink = new FindingList()
      const merger = new SliceMerger(sink, new Catalog())
      for (let i = 0; i < units.length; i += size) {
        merger.absorb(await reduceSlice(units.slice(i, i + size), opts, catalog))
      }
      const merged = await merger.finish({ window: {}, sink })
      const whole = await run(1, [logs, ndjson], principal)
      expect(merged.usages).toEqual([whole.usage])
      expect(sink.items).toEqual(whole.findings)
    }
  })

  it('without --principal: every principal reduced apart, the same in both modes', async () => {
    const sink1 = new FindingList()
    const sink2 = new FindingList()
    const catalog = new Catalog()
    const units: ReadableUnit[] = []
    for await (const u of listInputs([logs], {}, { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }))
      if (u.kind !== 'unlisted') units.push(u)
    const merger = new SliceMerger(sink2, new Catalog())
    for (const u of units) merger.absorb(await reduceSlice([u], { window: {} }, catalog))
    const merged = await merger.finish({ window: {}, sink: sink2 })
    const stats: FileStats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
    const own = new Catalog()
    const single = await reduceEvents(readInputs([logs], {}, { sink: sink1 }, stats), {
      window: {},
      mapper: createMapper(own),
      catalog: own,
      sink: sink1,
    })
    expect(merged.usages.map((u) => u.principal)).toEqual([ROLE, `arn:aws:iam::${ACCOUNT}:user/admin`])
    expect(merged).toEqual(single)
    expect(sink2.items).toEqual(sink1.items)
  })

  it('the CLI writes the same bytes and the same summary for --jobs 1 and --jobs 2', async () => {
    const args = ['policy', logs, ndjson, EXAMPLE, '--principal', ROLE, '--format', 'markdown']
    const one = await runCli([...args, '--jobs', '1'])
    const two = await runCli([...args, '--jobs', '2'])
    expect(one.code).toBe(2)
    expect(two.stdout).toBe(one.stdout)
    expect(two.stderr).toBe(one.stderr)
    expect(two.code).toBe(one.code)
    const granted = join(dir, 'granted.json')
    await writeFile(granted, (await runCli(['policy', logs, '--principal', ROLE, '--jobs', '1'])).stdout)
    const diffArgs = ['diff', '--granted', granted, logs, ndjson, '--principal', ROLE, '--format', 'json']
    const diff1 = await runCli([...diffArgs, '--jobs', '1'])
    const diff2 = await runCli([...diffArgs, '--jobs', '2'])
    expect(diff1.stdout).toContain('"missing"')
    expect(diff2.stdout).toBe(diff1.stdout)
    expect(diff2.stderr).toBe(diff1.stderr)
    const bad = await runCli(['policy', logs, '--jobs', '0'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/--jobs 0/)
  })

  it('a slice that fails in a worker fails the run as a tool error with the message of the worker', async () => {
    const pool = new ReducePool(1)
    try {
      const broken = pool.run({ units: null as unknown as ReadableUnit[], opts: { window: {} } })
      await expect(broken).rejects.toMatchObject({ name: 'IamtrailError', fault: 'tool' })
      await expect(broken).rejects.toThrow(/not iterable/)
      // The worker is still there for the next slice.
      const ok = await pool.run({ units: [{ kind: 'file', path: ndjson }], opts: { window: {} } })
      expect(ok.stats.eventsRead).toBe(2)
    } finally {
      await pool.close()
    }
  })

  it('on the invictus corpus: the same policy for --jobs 1 and 2', async () => {
    const logsDir = sharedData(...INVICTUS_LOGS)
    if (!logsDir) return
    const principal = parsePrincipal(BERT_JAN)
    const one = await run(1, [logsDir], principal)
    const two = await run(2, [logsDir], principal)
    expect(two.policy).toBe(one.policy)
    expect(two).toStrictEqual(one)
    const all1 = await run(1, [logsDir]).catch((e: Error) => e.message)
    const all2 = await run(2, [logsDir]).catch((e: Error) => e.message)
    expect(all2).toEqual(all1)
  })
})
