import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip, gunzipSync } from 'node:zlib'
import { type FindingSink, finding } from '../findings.js'
import type { CloudTrailEvent, EventOrigin, LocatedEvent } from './cloudtrail-event.js'
import { recordShapeProblem } from './record-shape.js'

export interface ReadContext {
  sink: FindingSink
  /** Label of the recording this input belongs to, carried into every event's origin. */
  recording?: string
  /** Called once per input whose events may be incomplete (for the "files with errors" count). */
  onInputError?: (name: string) => void
  /**
   * A string every event of the selected principal contains verbatim (its user, role or session
   * name, or access key). NDJSON lines and whole documents without it are skipped before JSON.parse,
   * which is always safe; `onSkipped` counts the events skipped that way.
   */
  needle?: string
  onSkipped?: (events: number) => void
}

/** A read context that skips records without `needle`, and the counts of what it skipped that way. */
export function skippingContext(
  sink: FindingSink,
  needle: string | undefined,
): { ctx: ReadContext; skipped: { events: number; files: number } } {
  const skipped = { events: 0, files: 0 }
  const ctx: ReadContext = { sink }
  if (needle !== undefined) {
    ctx.needle = needle
    ctx.onSkipped = (n) => {
      if (n) skipped.events += n
      else skipped.files++
    }
  }
  return { ctx, skipped }
}

/**
 * Reads every CloudTrail input format from one byte stream, detected from content rather than the
 * name: gzip or not; `{"Records":[…]}` log files; `aws cloudtrail lookup-events` output (each
 * `CloudTrailEvent` an embedded JSON string); a JSON array of events; NDJSON. NDJSON is streamed
 * line by line; a document format is one JSON value and is parsed whole (CloudTrail's own files
 * are small, and JSON.parse of a whole buffer is the fastest parser Node has).
 */
export function readEvents(
  bytes: AsyncIterable<Buffer>,
  name: string,
  ctx: ReadContext,
): AsyncGenerator<LocatedEvent> {
  return readTextEvents(decodeText(bytes), name, ctx)
}

/** The same, for an input already in memory: decompressed in one call, no stream per file. */
export async function* readEventsFromBuffer(
  bytes: Buffer,
  name: string,
  ctx: ReadContext,
): AsyncGenerator<LocatedEvent> {
  let text: Buffer
  try {
    text = isGzip(bytes) ? gunzipSync(bytes, { chunkSize: gunzipChunkFor(bytes) }) : bytes
  } catch (err) {
    const reason = (err as Error).message
    ctx.sink.report(
      finding(
        isTruncatedGzip(err) ? 'input.truncated-gzip' : 'input.unreadable',
        isTruncatedGzip(err)
          ? `gzip stream ends early (${reason}); no event of this file could be read`
          : reason,
        name,
      ),
    )
    ctx.onInputError?.(name)
    return
  }
  // A log document (`{"Records":[…`) without the needle holds none of the principal's events: skip it
  // before decoding it to a string, which was a twentieth of the run (docs/benchmarks.md, Profile).
  if (ctx.needle !== undefined && RECORDS_DOCUMENT.test(text.subarray(0, 64).toString('latin1'))) {
    if (!text.includes(ctx.needle)) {
      ctx.onSkipped?.(0)
      return
    }
  }
  yield* readTextEvents(
    (async function* () {
      yield decodeWhole(text)
    })(),
    name,
    ctx,
  )
}

async function* readTextEvents(
  text: AsyncIterable<string>,
  name: string,
  ctx: ReadContext,
): AsyncGenerator<LocatedEvent> {
  let failed = false
  const fail = (code: Parameters<typeof finding>[0], detail: string, where: string, eventId?: string) => {
    ctx.sink.report(finding(code, detail, where, eventId))
    if (!failed) ctx.onInputError?.(name)
    failed = true
  }
  let buffered = ''
  let mode: 'undecided' | 'ndjson' | 'document' = 'undecided'
  let line = 0
  let count = 0
  // Lines skipped for lacking the principal's needle were events, of someone else: not an empty input.
  let skippedLines = 0
  try {
    for await (const chunk of text) {
      buffered += chunk
      if (mode === 'undecided') {
        mode = sniff(buffered)
        if (mode === 'undecided') continue
      }
      if (mode === 'ndjson') {
        let start = 0
        let nl = buffered.indexOf('\n', start)
        while (nl !== -1) {
          line++
          const raw = buffered.slice(start, nl)
          // A line that does not end like an object may be a damaged event of anyone: parse it to report it.
          if (ctx.needle !== undefined && !raw.includes(ctx.needle) && raw.trimEnd().endsWith('}')) {
            if (raw.trim() !== '') {
              ctx.onSkipped?.(1)
              skippedLines++
            }
            start = nl + 1
            nl = buffered.indexOf('\n', start)
            continue
          }
          const ev = parseLine(raw, name, line, ctx, fail)
          if (ev) {
            count++
            yield ev
          }
          start = nl + 1
          nl = buffered.indexOf('\n', start)
        }
        buffered = buffered.slice(start)
      }
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    if (isTruncatedGzip(err)) {
      const lost =
        mode === 'ndjson' ? `events after line ${line} are lost` : 'no event of this file could be read'
      fail('input.truncated-gzip', `gzip stream ends early (${reason}); ${lost}`, name)
    } else {
      fail('input.unreadable', reason, name)
    }
    return
  }
  if (mode === 'ndjson' || (mode === 'undecided' && buffered.trim() !== '' && !/^\s*[[{]/.test(buffered))) {
    if (mode === 'undecided') {
      fail(
        'input.unknown-format',
        'content is not JSON (expected Records[], lookup-events output or NDJSON)',
        name,
      )
      return
    }
    if (buffered.trim() !== '') {
      line++
      const ev = parseLine(buffered, name, line, ctx, fail)
      if (ev) {
        count++
        yield ev
      }
    }
  } else if (buffered.trim() !== '') {
    // A whole log file without the principal's name holds none of its events.
    if (ctx.needle !== undefined && !buffered.includes(ctx.needle)) {
      ctx.onSkipped?.(0)
      return
    }
    for (const ev of parseDocument(buffered, name, ctx, fail)) {
      count++
      yield ev
    }
  }
  if (count === 0 && skippedLines === 0 && !failed)
    ctx.sink.report(finding('input.empty', 'no CloudTrail events in this input', name))
}

async function* decodeText(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const it = bytes[Symbol.asyncIterator]()
  const first = await it.next()
  if (first.done) return
  const rest: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      yield first.value
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value
    },
  }
  const gz = isGzip(first.value)
  const source: AsyncIterable<Buffer> = gz
    ? Readable.from(rest).pipe(createGunzip({ chunkSize: GUNZIP_CHUNK }))
    : rest
  let decoder: { write(b: Buffer): string; end(): string } | undefined
  for await (const chunk of source) {
    decoder ??= decoderFor(chunk as Buffer)
    yield decoder.write(chunk as Buffer)
  }
  const tail = decoder?.end()
  if (tail) yield tail
}

/**
 * Text in the encoding its byte-order mark names, without the mark: editors on Windows save JSON as
 * UTF-8 with a BOM or as UTF-16, and JSON.parse read the mark as an unexpected token. UTF-8 without
 * a mark (every CloudTrail file) takes StringDecoder, the fastest path.
 */
function decoderFor(first: Buffer): { write(b: Buffer): string; end(): string } {
  const bom = bomOf(first)
  if (bom === undefined) return new StringDecoder('utf8')
  const td = new TextDecoder(bom, { ignoreBOM: false })
  return { write: (b) => td.decode(b, { stream: true }), end: () => td.decode() }
}

/** The same for a whole buffer. */
function decodeWhole(text: Buffer): string {
  const bom = bomOf(text)
  return bom === undefined ? text.toString('utf8') : new TextDecoder(bom).decode(text)
}

function bomOf(b: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8'
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le'
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be'
  return undefined
}

/**
 * Output chunk of the streaming gunzip. Node's default (16 KB) costs a round trip to the thread pool
 * per 16 KB: gunzip of a 370 MB NDJSON took 955 ms with it and 274 ms with 1 MB chunks.
 */
const GUNZIP_CHUNK = 1 << 20

/** The start of a CloudTrail log file, possibly after a byte-order mark or whitespace. */
const RECORDS_DOCUMENT = /^(\xef\xbb\xbf)?\s*\{\s*"Records"\s*:\s*\[/

/** NDJSON when the first line is a complete JSON event; a document when it opens a larger value. */
function sniff(buffered: string): 'undecided' | 'ndjson' | 'document' {
  const startAt = buffered.search(/\S/)
  if (startAt === -1) return 'undecided'
  if (buffered[startAt] !== '{') return buffered[startAt] === '[' ? 'document' : 'ndjson'
  const nl = buffered.indexOf('\n', startAt)
  if (nl === -1) return 'undecided'
  try {
    const v = JSON.parse(buffered.slice(startAt, nl)) as Record<string, unknown>
    return looksLikeEvent(v) ? 'ndjson' : 'document'
  } catch {
    return 'document'
  }
}

function looksLikeEvent(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const o = v as Record<string, unknown>
  return 'eventSource' in o || 'eventName' in o || 'eventVersion' in o || 'userIdentity' in o
}

type Fail = (
  code: 'input.invalid-json' | 'input.invalid-record' | 'input.unknown-format',
  detail: string,
  where: string,
  eventId?: string,
) => void

function parseLine(
  raw: string,
  file: string,
  line: number,
  ctx: ReadContext,
  fail: Fail,
): LocatedEvent | undefined {
  const s = raw.endsWith('\r') ? raw.slice(0, -1) : raw
  if (s.trim() === '') return undefined
  let v: unknown
  try {
    v = JSON.parse(s)
  } catch (err) {
    fail('input.invalid-json', (err as Error).message, `${file}:${line}`)
    return undefined
  }
  return toLocated(v, { file, line, ...rec(ctx) }, fail)
}

function* parseDocument(text: string, file: string, ctx: ReadContext, fail: Fail): Generator<LocatedEvent> {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    fail('input.invalid-json', (err as Error).message, file)
    return
  }
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) {
      const ev = toLocated(doc[i], { file, index: i, ...rec(ctx) }, fail)
      if (ev) yield ev
    }
    return
  }
  const o = doc as Record<string, unknown>
  if (Array.isArray(o.Records)) {
    for (let i = 0; i < o.Records.length; i++) {
      const ev = toLocated(o.Records[i], { file, index: i, ...rec(ctx) }, fail)
      if (ev) yield ev
    }
    return
  }
  if (Array.isArray(o.Events)) {
    // `aws cloudtrail lookup-events`: the raw record is a JSON string inside each entry.
    for (let i = 0; i < o.Events.length; i++) {
      const entry = o.Events[i] as Record<string, unknown> | null
      const where = `${file}[Events ${i}]`
      if (typeof entry?.CloudTrailEvent !== 'string') {
        fail('input.invalid-record', 'lookup-events entry has no CloudTrailEvent string', where)
        continue
      }
      let v: unknown
      try {
        v = JSON.parse(entry.CloudTrailEvent)
      } catch (err) {
        fail('input.invalid-json', `CloudTrailEvent: ${(err as Error).message}`, where)
        continue
      }
      const ev = toLocated(v, { file, index: i, ...rec(ctx) }, fail)
      if (ev) yield ev
    }
    return
  }
  if (looksLikeEvent(o)) {
    const ev = toLocated(o, { file, index: 0, ...rec(ctx) }, fail)
    if (ev) yield ev
    return
  }
  fail('input.unknown-format', 'JSON without Records[] or Events[] and not a CloudTrail event', file)
}

function rec(ctx: ReadContext): { recording?: string } {
  return ctx.recording === undefined ? {} : { recording: ctx.recording }
}

function toLocated(v: unknown, origin: EventOrigin, fail: Fail): LocatedEvent | undefined {
  const where =
    origin.line !== undefined ? `${origin.file}:${origin.line}` : `${origin.file}[${origin.index}]`
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    fail('input.invalid-record', 'not a JSON object', where)
    return undefined
  }
  const e = v as Record<string, unknown>
  // Logstash-style exports (OTRF) keep the time in @timestamp only.
  if (typeof e.eventTime !== 'string' && typeof e['@timestamp'] === 'string') e.eventTime = e['@timestamp']
  const problem = recordShapeProblem(e)
  if (problem !== undefined) {
    const eventId = typeof e.eventID === 'string' && e.eventID !== '' ? e.eventID : undefined
    fail('input.invalid-record', problem, where, eventId)
    return undefined
  }
  if (typeof e.eventID !== 'string') e.eventID = ''
  return { event: e as unknown as CloudTrailEvent, origin }
}

/**
 * One output chunk for the whole file when its gzip trailer tells the size (ISIZE, modulo 4 GiB; only a
 * hint): with the default 16 KB chunks, gunzipSync also concatenates them, 15% of its time on log files.
 */
export function gunzipChunkFor(gz: Buffer): number {
  const size = gz.length >= 18 ? gz.readUInt32LE(gz.length - 4) : 0
  return Math.min(Math.max(size + 1, 64 * 1024), 64 * 1024 * 1024)
}

function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b
}

function isTruncatedGzip(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e?.message ?? '')
}

export function openInput(path: string): AsyncIterable<Buffer> {
  if (path === '-') return process.stdin
  return createReadStream(path, { highWaterMark: 1 << 20 })
}
