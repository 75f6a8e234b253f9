import { mkdtempSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { RECORDING_FORMAT, writeRecording } from '../../src/collect/recording.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { ACCOUNT, apiCall, userIdentity } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

/**
 * Issue 16.8: one hostile record is one `input.invalid-record` finding with its place, never the end
 * of the run (it was exit 70 with no file and no line), and the same record gives the same exit
 * code in every input format.
 */
const dir = mkdtempSync(join(tmpdir(), 'iamtrail-hostile-'))

const good = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'CreateBucket',
  requestParameters: { bucketName: 'app-assets' },
})

type Raw = Record<string, unknown>
const base = (): Raw => ({ ...apiCall({ eventSource: 's3.amazonaws.com', eventName: 'PutObject' }) })

const HOSTILE: [string, Raw][] = [
  ['eventSource "constructor"', { ...base(), eventSource: 'constructor' }],
  ['eventSource "toString"', { ...base(), eventSource: 'toString' }],
  ['eventSource "__proto__"', { ...base(), eventSource: '__proto__' }],
  ['resources that is not a list', { ...base(), resources: 'arn:aws:s3:::x' }],
  ['a resource that is not an object', { ...base(), resources: [5] }],
  ['a numeric userIdentity.arn', { ...base(), userIdentity: { ...userIdentity('ci'), arn: 5 } }],
  ['a numeric eventName', { ...base(), eventName: 5 }],
  ['a null eventName', { ...base(), eventName: null }],
  ['userIdentity that is a string', { ...base(), userIdentity: 'ci' }],
  ['requestParameters that is a list', { ...base(), requestParameters: ['x'] }],
]

type Format = (name: string, events: Raw[]) => Promise<string>

const FORMATS: [string, Format][] = [
  ['Records[] JSON', (n, evs) => put(`${n}.json`, JSON.stringify({ Records: evs }))],
  ['Records[] .json.gz', (n, evs) => put(`${n}.json.gz`, gzipSync(JSON.stringify({ Records: evs })))],
  ['NDJSON', (n, evs) => put(`${n}.ndjson`, `${evs.map((e) => JSON.stringify(e)).join('\n')}\n`)],
  [
    'lookup-events output',
    (n, evs) =>
      put(
        `${n}.lookup.json`,
        JSON.stringify({ Events: evs.map((e) => ({ EventId: 'x', CloudTrailEvent: JSON.stringify(e) })) }),
      ),
  ],
  ['a recording .rec', (n, evs) => recording(n, evs)],
]

async function put(name: string, data: string | Buffer): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, data)
  return path
}

async function recording(name: string, events: Raw[]): Promise<string> {
  const path = join(dir, `${name}.rec`)
  await writeRecording(
    path,
    {
      format: RECORDING_FORMAT,
      iamtrailVersion: '0.1.0',
      name: 'deploy',
      principal: `arn:aws:iam::${ACCOUNT}:user/ci`,
      window: { start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00Z' },
      regions: ['eu-west-1'],
      sources: ['test'],
      settle: { outcome: 'complete' },
      counts: { events: events.length, perRegion: { 'eu-west-1': events.length } },
      createdAt: '2026-11-20T10:00:00Z',
    },
    events as unknown as CloudTrailEvent[],
  )
  return path
}

let seq = 0

describe('a hostile record is one finding, in every input format', () => {
  it.each(HOSTILE)(
    '%s: input.invalid-record with its place, the good record granted, exit 2',
    async (_, bad) => {
      const codes: Record<string, number | null> = {}
      for (const [format, write] of FORMATS) {
        const input = await write(`hostile-${++seq}`, [good, { ...bad, eventID: 'bad-record-1' }])
        const r = await runCli(['policy', input])
        codes[format] = r.code
        expect(r.stderr, format).not.toMatch(/internal error/)
        expect(r.stderr, format).toMatch(/\[input\.invalid-record\]/)
        // The place: the file with its line (NDJSON, recordings) or record index (documents), and the event.
        expect(r.stderr, format).toMatch(
          /at \S*hostile-\d+\S*(:2|\[1\]) \(event bad-record-1\) \[input\.invalid-record\]/,
        )
        expect(r.stdout, format).toContain('s3:CreateBucket')
      }
      expect(codes).toEqual(Object.fromEntries(FORMATS.map(([f]) => [f, 2])))
    },
  )

  it('null in optional fields reads as absent: the record is good in every format', async () => {
    const nulls = {
      ...good,
      eventID: 'null-fields-1',
      errorCode: null,
      resources: null,
      additionalEventData: null,
      userIdentity: { ...userIdentity('ci'), sessionContext: null, invokedBy: null },
    }
    for (const [format, write] of FORMATS) {
      const r = await runCli(['policy', await write(`nulls-${++seq}`, [nulls])])
      expect(r.stderr, format).not.toMatch(/internal error|invalid-record/)
      expect(r.code, `${format}: ${r.stderr}`).toBe(0)
      expect(r.stdout, format).toContain('s3:CreateBucket')
    }
  })
})

describe('principal ARNs that are names of object properties are ordinary principals', () => {
  it.each(['constructor', '__proto__', 'toString'])('%s is listed among the principals', async (arn) => {
    const odd = { ...good, eventID: 'odd-1', userIdentity: { type: 'IAMUser', arn, accountId: ACCOUNT } }
    const input = await put(`principal-${++seq}.json`, JSON.stringify({ Records: [good, odd] }))
    const r = await runCli(['policy', input])
    expect(r.stderr).not.toMatch(/internal error/)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('the input holds 2 principals')
    expect(r.stderr).toContain(`  ${arn}  (1 events)`)
    expect(r.stderr).toContain(`  arn:aws:iam::${ACCOUNT}:user/ci  (1 events)`)
  })
})
