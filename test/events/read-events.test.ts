import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { LocatedEvent } from '../../src/events/cloudtrail-event.js'
import { readEvents } from '../../src/events/read-events.js'
import { FindingList } from '../../src/findings.js'
import { apiCall } from '../support/events.js'

const a = apiCall({ eventSource: 's3.amazonaws.com', eventName: 'CreateBucket' })
const b = apiCall({ eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunction20150331' })
const c = apiCall({ eventSource: 'iam.amazonaws.com', eventName: 'CreateRole' })

async function read(
  bytes: Buffer | string,
  name = 'input',
  chunk = 7,
): Promise<{ events: LocatedEvent[]; findings: FindingList; errors: string[] }> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)
  // Small chunks: format detection and line splitting must not depend on chunk boundaries.
  const chunks: Buffer[] = []
  for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk))
  const findings = new FindingList()
  const errors: string[] = []
  const events: LocatedEvent[] = []
  for await (const e of readEvents(Readable.from(chunks), name, {
    sink: findings,
    onInputError: (n) => errors.push(n),
  }))
    events.push(e)
  return { events, findings, errors }
}

const ndjson = `${[a, b, c].map((e) => JSON.stringify(e)).join('\n')}\n`

describe('readEvents: formats, detected from content', () => {
  it.each([
    ['Records[] log file', JSON.stringify({ Records: [a, b, c] })],
    ['pretty-printed Records[]', JSON.stringify({ Records: [a, b, c] }, null, 2)],
    ['NDJSON', ndjson],
    [
      'NDJSON with CRLF and blank lines',
      `${JSON.stringify(a)}\r\n\r\n${JSON.stringify(b)}\r\n${JSON.stringify(c)}`,
    ],
    ['JSON array', JSON.stringify([a, b, c], null, 1)],
    [
      'aws cloudtrail lookup-events output',
      JSON.stringify(
        {
          Events: [a, b, c].map((e) => ({
            EventId: e.eventID,
            EventName: e.eventName,
            ReadOnly: 'false',
            EventTime: '2026-11-20T10:05:00+00:00',
            EventSource: e.eventSource,
            Resources: [],
            CloudTrailEvent: JSON.stringify(e),
          })),
        },
        null,
        4,
      ),
    ],
  ])('reads %s, plain and gzipped', async (_name, text) => {
    for (const bytes of [Buffer.from(text), gzipSync(text)]) {
      const { events, findings } = await read(bytes)
      expect(events.map((e) => e.event.eventID)).toEqual([a.eventID, b.eventID, c.eventID])
      expect(events[1]!.event).toEqual(b)
      expect(findings.items).toEqual([])
    }
  })

  it('numbers NDJSON lines from 1 and Records entries from 0', async () => {
    expect((await read(ndjson)).events.map((e) => e.origin.line)).toEqual([1, 2, 3])
    expect((await read(JSON.stringify({ Records: [a, b] }))).events.map((e) => e.origin.index)).toEqual([
      0, 1,
    ])
  })

  it('reads a single-line Records[] document (not mistaken for NDJSON)', async () => {
    const { events } = await read(`${JSON.stringify({ Records: [a, b] })}\n`)
    expect(events).toHaveLength(2)
  })

  it('takes eventTime from @timestamp in Logstash-style exports', async () => {
    const { eventTime: _drop, ...rest } = a
    const { events } = await read(JSON.stringify({ ...rest, '@timestamp': '2020-09-14T01:19:40Z' }))
    expect(events[0]!.event.eventTime).toBe('2020-09-14T01:19:40Z')
  })
})

describe('readEvents: bad input is named, reading goes on', () => {
  it('a truncated gzip keeps the NDJSON lines before the cut and says where', async () => {
    const gz = gzipSync(ndjson.repeat(200))
    const { events, findings, errors } = await read(
      gz.subarray(0, Math.floor(gz.length * 0.6)),
      'cut.ndjson.gz',
      4096,
    )
    expect(events.length).toBeGreaterThan(0)
    expect(events.length).toBeLessThan(600)
    expect(findings.items.map((f) => f.code)).toContain('input.truncated-gzip')
    const f = findings.items.find((x) => x.code === 'input.truncated-gzip')!
    expect(f.where).toBe('cut.ndjson.gz')
    expect(f.detail).toMatch(/events after line \d+ are lost/)
    expect(errors).toEqual(['cut.ndjson.gz'])
  })

  it('a truncated gzip Records[] file loses the file, with a finding', async () => {
    const gz = gzipSync(JSON.stringify({ Records: [a, b, c] }))
    const { events, findings } = await read(gz.subarray(0, gz.length - 12), 'f.json.gz')
    expect(events).toEqual([])
    expect(findings.items.map((x) => x.code)).toEqual(['input.truncated-gzip'])
  })

  it('an invalid NDJSON line is reported with its line number and the rest is read', async () => {
    const text = `${JSON.stringify(a)}\n{"eventSource": "s3.amazon\n${JSON.stringify(c)}\n`
    const { events, findings } = await read(text, 'x.ndjson')
    expect(events.map((e) => e.event.eventID)).toEqual([a.eventID, c.eventID])
    expect(findings.items).toMatchObject([
      { code: 'input.invalid-json', where: 'x.ndjson:2', severity: 'error' },
    ])
  })

  it('a record without eventSource is named with its index and event id', async () => {
    const { eventSource: _d, ...noSource } = b
    const { events, findings } = await read(JSON.stringify({ Records: [a, noSource, c] }), 'r.json')
    expect(events).toHaveLength(2)
    expect(findings.items).toHaveLength(1)
    // The event id is the finding's own field (the summary prints it once, after the place).
    expect(findings.items[0]).toMatchObject({
      code: 'input.invalid-record',
      where: 'r.json[1]',
      eventId: b.eventID,
    })
    expect(findings.items[0]!.detail).toContain('eventSource')
  })

  it('invalid JSON in a document, and content that is not JSON, are errors', async () => {
    expect((await read('{"Records": [', 'd.json')).findings.items[0]).toMatchObject({
      code: 'input.invalid-json',
      where: 'd.json',
    })
    expect((await read('hello world\n', 't.txt')).findings.items[0]).toMatchObject({
      code: 'input.invalid-json',
    })
    expect((await read('{"foo": 1}', 'o.json')).findings.items[0]).toMatchObject({
      code: 'input.unknown-format',
    })
  })

  it('an empty input is a warning, not an error', async () => {
    const { findings, errors } = await read('  \n', 'e.json')
    expect(findings.items).toMatchObject([{ code: 'input.empty', severity: 'warning' }])
    expect(errors).toEqual([])
  })
})
