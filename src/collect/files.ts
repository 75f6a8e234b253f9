import { opendir, readFile as readWhole, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { LocatedEvent } from '../events/cloudtrail-event.js'
import { openInput, type ReadContext, readEvents, readEventsFromBuffer } from '../events/read-events.js'
import { finding } from '../findings.js'
import { EVENTS, isRecording, readManifest } from './recording.js'
import { keyOutsideWindow, type TimeWindow } from './window.js'

export interface FileStats {
  filesRead: number
  filesSkipped: number
  filesWithErrors: number
}

const LOG_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i

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
  const markError = () => {
    stats.filesWithErrors++
  }
  for (const path of paths) {
    if (path === '-') {
      stats.filesRead++
      yield* readEvents(openInput('-'), '<stdin>', { ...ctx, onInputError: markError })
      continue
    }
    let isDir: boolean
    try {
      isDir = (await stat(path)).isDirectory()
    } catch (err) {
      ctx.sink.report(finding('input.unreadable', (err as Error).message, path))
      stats.filesWithErrors++
      continue
    }
    if (!isDir) {
      stats.filesRead++
      yield* readFile(path, ctx, markError)
      continue
    }
    if (await isRecording(path)) {
      const manifest = await readManifest(path)
      stats.filesRead++
      yield* readFile(join(path, EVENTS), { ...ctx, recording: manifest.name }, markError)
      continue
    }
    for await (const { file, recording } of walk(path, ctx)) {
      if (keyOutsideWindow(basename(file), window)) {
        stats.filesSkipped++
        continue
      }
      stats.filesRead++
      yield* readFile(file, recording === undefined ? ctx : { ...ctx, recording }, markError)
    }
  }
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
  let size = Number.POSITIVE_INFINITY
  try {
    size = (await stat(path)).size
  } catch {
    // openInput reports the unreadable file below.
  }
  if (size <= WHOLE_FILE_LIMIT) {
    let bytes: Buffer
    try {
      bytes = await readWhole(path)
    } catch (err) {
      ctx.sink.report(finding('input.unreadable', (err as Error).message, path))
      markError()
      return
    }
    yield* readEventsFromBuffer(bytes, path, { ...ctx, onInputError: markError })
    return
  }
  yield* readEvents(openInput(path), path, { ...ctx, onInputError: markError })
}

async function* walk(dir: string, ctx: ReadContext): AsyncGenerator<{ file: string; recording?: string }> {
  let entries: { name: string; dir: boolean }[]
  try {
    entries = []
    for await (const d of await opendir(dir)) entries.push({ name: d.name, dir: d.isDirectory() })
  } catch (err) {
    ctx.sink.report(finding('input.unreadable', (err as Error).message, dir))
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.dir) {
      if (await isRecording(p)) yield { file: join(p, EVENTS), recording: (await readManifest(p)).name }
      else yield* walk(p, ctx)
    } else if (LOG_FILE.test(e.name)) {
      yield { file: p }
    }
  }
}
