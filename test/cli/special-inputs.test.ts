import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { PolicyDocument } from '../../src/policy/document.js'
import { ACCOUNT, apiCall, userIdentity } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

/**
 * Inputs that are not plain `*.json` files (issue 16.6, 16.7 and first use): pipes, process
 * substitution and /dev/stdin, a FIFO inside an input directory, Elastic's `*.log` NDJSON layout,
 * and text with a byte-order mark.
 */
const dir = mkdtempSync(join(tmpdir(), 'iamtrail-special-'))
const CI = `arn:aws:iam::${ACCOUNT}:user/ci`

const call = (eventName: string, user = 'ci') =>
  apiCall({
    eventSource: 's3.amazonaws.com',
    eventName,
    userIdentity: userIdentity(user),
    requestParameters: { bucketName: 'app-assets' },
  })
const records = (...names: string[]) => JSON.stringify({ Records: names.map((n) => call(n)) })

function actions(stdout: string): string[] {
  const doc = JSON.parse(stdout) as PolicyDocument
  return doc.Statement.flatMap((s) => s.Action ?? []).sort()
}

async function put(name: string, data: string | Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, data)
  return path
}

function mkfifo(path: string): string {
  execFileSync('mkfifo', [path])
  return path
}

describe('pipes and devices are read as streams (16.6)', () => {
  it('/dev/stdin named as an input, beside a file, contributes its events', async () => {
    const file = await put('bucket.json', records('CreateBucket'))
    const r = await runCli(['policy', '/dev/stdin', file], { stdin: records('DeleteBucket') })
    expect(r.code, r.stderr).toBe(0)
    expect(actions(r.stdout)).toEqual(['s3:CreateBucket', 's3:DeleteBucket'])
    expect(r.stderr).toContain('2 events read from 2 inputs')
  })

  it('a FIFO named as an input (what <(zcat f.json.gz) passes) is read, not taken as empty', async () => {
    const fifo = mkfifo(join(dir, 'substituted'))
    const file = await put('put.json', records('PutBucketTagging'))
    // The writer blocks until the CLI opens the FIFO for reading, as zcat does behind <(…).
    const writing = writeFile(fifo, gzipSync(records('DeleteBucket')))
    const r = await runCli(['policy', fifo, file])
    await writing
    expect(r.code, r.stderr).toBe(0)
    expect(actions(r.stdout)).toEqual(['s3:DeleteBucket', 's3:PutBucketTagging'])
    expect(r.stderr).not.toMatch(/input\.empty/)
  })
})

describe('a directory walk (16.7, first use)', () => {
  it('skips a FIFO named *.json with a warning that names it, and reads the rest', async () => {
    const logs = join(dir, 'with-fifo')
    mkdirSync(logs)
    await writeFile(join(logs, 'a.json'), records('CreateBucket'))
    const fifo = mkfifo(join(logs, 'b.json'))
    const r = await runCli(['policy', logs])
    expect(r.code, r.stderr).toBe(0)
    expect(actions(r.stdout)).toEqual(['s3:CreateBucket'])
    expect(r.stderr).toContain(`at ${fifo} [input.special-file]`)
  })

  it('reads Elastic/Logstash *.log NDJSON by content, without a false "no events" warning for files of other principals', async () => {
    const logs = join(dir, 'elastic')
    mkdirSync(logs)
    const ndjson = (...evs: ReturnType<typeof call>[]) => `${evs.map((e) => JSON.stringify(e)).join('\n')}\n`
    await writeFile(join(logs, 'cloudtrail-2026.11.20.log'), ndjson(call('CreateBucket'), call('x', 'other')))
    await writeFile(join(logs, 'cloudtrail-2026.11.21.log'), ndjson(call('ListBuckets', 'other')))
    await writeFile(join(logs, 'cloudtrail-2026.11.22'), gzipSync(ndjson(call('DeleteBucket'))))
    await writeFile(join(logs, 'README.md'), '# exported from Elastic\n')
    const r = await runCli(['policy', '--principal', CI, logs])
    expect(r.code, r.stderr).toBe(0)
    expect(actions(r.stdout)).toEqual(['s3:CreateBucket', 's3:DeleteBucket'])
    expect(r.stderr).toContain('from 3 inputs (1 file that is not JSON or gzip skipped unparsed)')
    expect(r.stderr).not.toMatch(/input\.empty|no CloudTrail events/)
  })
})

describe('byte-order marks (first use)', () => {
  const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])
  const utf16be = (s: string) => {
    const le = Buffer.from(s, 'utf16le')
    return Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()])
  }
  it.each([
    ['UTF-8 with a BOM', (s: string) => Buffer.from(`\ufeff${s}`)],
    ['UTF-8 with a BOM, gzipped', (s: string) => gzipSync(`\ufeff${s}`)],
    ['UTF-16LE with a BOM', utf16le],
    ['UTF-16BE with a BOM', utf16be],
  ])('%s is read like any log file', async (label, encode) => {
    const file = await put(`${label.replace(/\W+/g, '-')}.json`, encode(records('CreateBucket')))
    const ndjsonFile = await put(
      `${label.replace(/\W+/g, '-')}.ndjson`,
      encode(`${JSON.stringify(call('DeleteBucket'))}\n`),
    )
    const r = await runCli(['policy', file, ndjsonFile])
    expect(r.stderr).not.toMatch(/Unexpected token/)
    expect(r.code, r.stderr).toBe(0)
    expect(actions(r.stdout)).toEqual(['s3:CreateBucket', 's3:DeleteBucket'])
  })
})
