import type { Dirent } from 'node:fs'
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { opendir, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { LocatedEvent } from '../../events/cloudtrail-event.js'
import { openInput, type ReadContext, readEvents, readEventsFromBuffer } from '../../events/read-events.js'
import { keyOutsideWindow, type TimeWindow } from '../../events/time-window.js'
import { type Finding, finding } from '../../findings.js'
import { EVENTS, isRecording, readManifest } from '../recording.js'
import { looksLikeCloudTrail } from './sniff.js'

export interface FileStats {
  filesRead: number
  filesSkipped: number
  filesWithErrors: number
  /** Files of input directories whose first bytes are not JSON or gzip: skipped, never parsed. */
  filesNotCloudTrail?: number
}

/** Names read without a look inside; any other file of a directory is read when its content is JSON. */
const LOG_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i

/**
 * Names of this process's stdin, read as `-` is: when stdin is a socket (as Node's child_process
 * makes it) opening the name again fails with ENXIO, but the open descriptor reads.
 */
export const STDIN_PATHS = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'])

/**
 * One thing to read, in input order: a file (with the label of its recording), stdin, or a finding
 * about an input that could not even be listed (reported at its place in the order).
 */
export type InputUnit =
  | {
      kind: 'file'
      path: string
      recording?: string
      /** Not a regular file (a pipe, `<(zcat …)`, /dev/stdin): its size says nothing, read it as a stream. */
      stream?: true
    }
  | { kind: 'stdin'; name?: string }
  | { kind: 'unlisted'; finding: Finding; failed: boolean }

/**
 * Every event of every input, in a deterministic order: paths as given, directories walked
 * recursively in name order, one file open at a time. Files whose S3 key puts them outside the
 * window are skipped unopened; recordings (directories with a manifest) carry their name as label.
 */
export async function* readInputs(
  paths: readonly string[],
  window: TimeWindow,
  ctx: ReadContext,
  stats: FileStats,
): AsyncGenerator<LocatedEvent> {
  for await (const unit of listInputs(paths, window, stats)) {
    if (unit.kind === 'unlisted') {
      ctx.sink.report(unit.finding)
      if (unit.failed) stats.filesWithErrors++
    } else yield* readUnit(unit, ctx, stats)
  }
}

/**
 * The files readInputs reads, in its order, without opening them: what worker threads are handed.
 * Counts the files read and the files skipped by their S3 key.
 */
export async function* listInputs(
  paths: readonly string[],
  window: TimeWindow,
  stats: FileStats,
): AsyncGenerator<InputUnit> {
  for (const path of paths) {
    if (path === '-') {
      stats.filesRead++
      yield { kind: 'stdin' }
      continue
    }
    if (STDIN_PATHS.has(path)) {
      stats.filesRead++
      yield { kind: 'stdin', name: path }
      continue
    }
    let isDir: boolean
    let isRegular: boolean
    try {
      const st = await stat(path)
      isDir = st.isDirectory()
      isRegular = st.isFile()
    } catch (err) {
      yield unreadable(err, path)
      continue
    }
    if (!isDir) {
      stats.filesRead++
      // Named explicitly, a FIFO or device is read: the user asked for it (unlike one found in a walk).
      yield isRegular ? { kind: 'file', path } : { kind: 'file', path, stream: true }
      continue
    }
    if (await isRecording(path)) {
      const manifest = await readManifest(path)
      stats.filesRead++
      yield { kind: 'file', path: join(path, EVENTS), recording: manifest.name }
      continue
    }
    for await (const unit of walk(path, stats)) {
      if (unit.kind === 'file') {
        if (keyOutsideWindow(basename(unit.path), window)) {
          stats.filesSkipped++
          continue
        }
        stats.filesRead++
      }
      yield unit
    }
  }
}

/** The events of one listed input. */
export function readUnit(
  unit: Exclude<InputUnit, { kind: 'unlisted' }>,
  ctx: ReadContext,
  stats: FileStats,
): AsyncGenerator<LocatedEvent> {
  const markError = () => {
    stats.filesWithErrors++
  }
  if (unit.kind === 'stdin')
    return readEvents(openInput('-'), unit.name ?? '<stdin>', { ...ctx, onInputError: markError })
  const fileCtx = unit.recording === undefined ? ctx : { ...ctx, recording: unit.recording }
  if (unit.stream) return readEvents(openInput(unit.path), unit.path, { ...fileCtx, onInputError: markError })
  return readFile(unit.path, fileCtx, markError)
}

/**
 * CloudTrail's own log files are small (a few MB): reading one whole is cheaper than a stream per
 * file, which matters across thousands of files. Large inputs (NDJSON exports) are streamed, so
 * memory stays flat whatever their size.
 */
const WHOLE_FILE_LIMIT = 32 * 1024 * 1024

async function* readFile(
  path: string,
  ctx: ReadContext,
  markError: () => void,
): AsyncGenerator<LocatedEvent> {
  let bytes: Buffer | undefined
  try {
    bytes = readSmallFile(path)
  } catch (err) {
    ctx.sink.report(finding('input.unreadable', (err as Error).message, path))
    markError()
    return
  }
  if (bytes) {
    yield* readEventsFromBuffer(bytes, path, { ...ctx, onInputError: markError })
    return
  }
  yield* readEvents(openInput(path), path, { ...ctx, onInputError: markError })
}

/**
 * The whole file when it is small enough, in one open/fstat/read/close: synchronous on purpose, since
 * awaiting each step per file left the thread idle for a sixth of the run (docs/benchmarks.md, Profile).
 */
function readSmallFile(path: string): Buffer | undefined {
  const fd = openSync(path, 'r')
  try {
    const st = fstatSync(fd)
    // A pipe or device has size 0 whatever it holds: streamed, never read as empty.
    if (!st.isFile() || st.size > WHOLE_FILE_LIMIT) return undefined
    const { size } = st
    const bytes = Buffer.allocUnsafe(size)
    let at = 0
    while (at < size) {
      const n = readSync(fd, bytes, at, size - at, at)
      if (n === 0) break
      at += n
    }
    return at === size ? bytes : bytes.subarray(0, at)
  } finally {
    closeSync(fd)
  }
}

async function* walk(dir: string, stats: FileStats): AsyncGenerator<InputUnit> {
  let entries: Dirent[]
  try {
    entries = []
    for await (const d of await opendir(dir)) entries.push(d)
  } catch (err) {
    // Not counted as a file with errors: nothing was read from it (as before the split).
    yield unreadable(err, dir, false)
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    const p = join(dir, e.name)
    let kind = entryKind(e)
    if (kind === 'link') {
      try {
        const st = await stat(p)
        // Links to directories are not followed (as before): a link cycle would never end the walk.
        if (st.isDirectory()) continue
        kind = st.isFile() ? 'file' : 'special'
      } catch (err) {
        yield unreadable(err, p)
        continue
      }
    }
    if (kind === 'dir') {
      if (await isRecording(p))
        yield { kind: 'file', path: join(p, EVENTS), recording: (await readManifest(p)).name }
      else yield* walk(p, stats)
    } else if (kind === 'special') {
      // Opening a FIFO blocks until someone writes to it: a walk that opened one hung forever.
      yield {
        kind: 'unlisted',
        finding: finding(
          'input.special-file',
          'not a regular file (a FIFO, socket or device): skipped; name it as an input to read it',
          p,
        ),
        failed: false,
      }
    } else if (LOG_FILE.test(e.name)) {
      yield { kind: 'file', path: p }
    } else {
      let cloudTrail: boolean
      try {
        cloudTrail = await looksLikeCloudTrail(p)
      } catch (err) {
        yield unreadable(err, p)
        continue
      }
      if (cloudTrail) yield { kind: 'file', path: p }
      else stats.filesNotCloudTrail = (stats.filesNotCloudTrail ?? 0) + 1
    }
  }
}

function entryKind(d: Dirent): 'dir' | 'file' | 'link' | 'special' {
  if (d.isDirectory()) return 'dir'
  if (d.isFile()) return 'file'
  if (d.isSymbolicLink()) return 'link'
  return 'special'
}

/** An input that could not be opened or listed: a finding; `failed` makes the run incomplete. */
function unreadable(err: unknown, path: string, failed = true): InputUnit {
  return { kind: 'unlisted', finding: finding('input.unreadable', (err as Error).message, path), failed }
}
