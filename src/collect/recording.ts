import { createWriteStream } from 'node:fs'
import { chmod, lstat, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { IamtrailError } from '../errors.js'
import type { CloudTrailEvent } from '../events/cloudtrail-event.js'
import { openInput, readEvents } from '../events/read-events.js'
import type { FindingSink } from '../findings.js'
import type { ExcludedIdentity, IdentityEdge } from '../identity/graph.js'
import { cannotWrite } from '../io/atomic-write.js'

/**
 * A recording is a directory: `manifest.json` plus `events.ndjson.gz`, the raw CloudTrail events
 * unchanged, one per line. Plain gzip NDJSON keeps it readable by any tool (zcat | jq) and by every
 * iamtrail command; the manifest says what the recording covers and how complete it is.
 */
export const RECORDING_FORMAT = 'iamtrail-recording/1'
export const MANIFEST = 'manifest.json'
export const EVENTS = 'events.ndjson.gz'

export interface RecordingManifest {
  format: typeof RECORDING_FORMAT
  iamtrailVersion: string
  /** deploy, update, teardown, … — carried into every grant's evidence. */
  name: string
  principal: string
  window: { start: string; end: string }
  regions: string[]
  sources: string[]
  settle: {
    outcome: 'complete' | 'possibly incomplete'
    detail?: string
    /** settled | max-wait | interrupted | region-failed | fatal (src/collect/settle.ts). */
    reason?: string
    waitedMs?: number
  }
  counts: { events: number; perRegion: Record<string, number> }
  command?: { argv: string[]; exitCode: number | null }
  /**
   * The identity graph the recording followed: its roots (ARNs or access key ids), every access key
   * that belonged to it, who assumed or passed whom. Absent in recordings of one principal.
   */
  identities?: {
    roots: string[]
    follow: boolean
    accessKeys: string[]
    edges: IdentityEdge[]
    excluded: ExcludedIdentity[]
  }
  /** How `record` gave the command its credentials, and which keys it handed out. */
  credentials?: {
    sharing: 'container-endpoint'
    source: string
    keys: string[]
    fetches: number
  }
  /** How the `lookup` source asked CloudTrail, so `collect --resume` can ask again the same way. */
  lookup?: {
    attribute?: { key: 'AccessKeyId' | 'Username'; value: string }
    clockSkewPadMs: number
    polls: number
    throttles: number
    /** Region → why its last LookupEvents pass failed. */
    failedRegions?: Record<string, string>
  }
  /** How the `athena` source asked, and what it cost. */
  athena?: {
    database: string
    table: string
    workgroup?: string
    queryExecutionId: string
    scannedBytes: number
    costUsd: number
    elapsedMs: number
    accounts?: string[]
  }
  createdAt: string
}

/** The events of a recording, in file order, with the findings of reading them. */
export async function readRecordingEvents(path: string, sink: FindingSink): Promise<CloudTrailEvent[]> {
  const events: CloudTrailEvent[] = []
  for await (const { event } of readEvents(openInput(join(path, EVENTS)), join(path, EVENTS), { sink })) {
    events.push(event)
  }
  return events
}

export async function isRecording(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isDirectory()) return false
    const m = JSON.parse(await readFile(join(path, MANIFEST), 'utf8')) as { format?: string }
    return m.format === RECORDING_FORMAT
  } catch {
    return false
  }
}

export async function readManifest(path: string): Promise<RecordingManifest> {
  let text: string
  try {
    text = await readFile(join(path, MANIFEST), 'utf8')
  } catch (err) {
    throw new IamtrailError(`${path}: not a recording (no ${MANIFEST})`, 'user', undefined, { cause: err })
  }
  const m = JSON.parse(text) as RecordingManifest
  if (m.format !== RECORDING_FORMAT) {
    throw new IamtrailError(`${path}: unsupported recording format ${JSON.stringify(m.format)}`)
  }
  return m
}

/**
 * Writes a recording atomically: everything goes to a sibling temporary directory that is renamed
 * into place, so a reader never sees half a recording. An existing recording (or a symlink at its
 * path) is replaced only with `force`. The temporary directory comes from mkdtemp: a random name,
 * created exclusively with mode 0700, so nothing planted at a guessable name is written into.
 */
export async function writeRecording(
  path: string,
  manifest: RecordingManifest,
  events: AsyncIterable<CloudTrailEvent> | Iterable<CloudTrailEvent>,
  force = false,
): Promise<void> {
  const existing = await lstat(path).catch(() => undefined)
  if (existing && !force) throw new IamtrailError(`${path} exists; pass --force to replace it`)
  let tmp: string
  try {
    tmp = await mkdtemp(join(dirname(path), `.${basename(path)}.tmp-`))
  } catch (err) {
    throw cannotWrite(path, err)
  }
  try {
    const lines = Readable.from(
      (async function* () {
        for await (const e of events) yield `${JSON.stringify(e)}\n`
      })(),
    )
    await pipeline(lines, createGzip(), createWriteStream(join(tmp, EVENTS)))
    await writeFile(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
    // mkdtemp's 0700 was for the writing; a finished recording is as readable as any directory.
    await chmod(tmp, 0o755)
    if (existing) await rm(path, { recursive: true, force: true })
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw cannotWrite(path, err)
  }
}
