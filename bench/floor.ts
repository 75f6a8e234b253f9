/**
 * The physical limit iamtrail is compared with: gunzip + JSON.parse of the same files, one core,
 * nothing else. Prints the events, the bytes of JSON text and the seconds of work as JSON on stdout.
 */

import { createReadStream, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createGunzip, gunzipSync } from 'node:zlib'
import { gunzipChunkFor } from '../src/events/read-events.js'

/** Every log file under `dir`, in name order; directory entries typed by readdir, no extra stat. */
function* walk(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory()) yield* walk(p)
    else if (/\.json(\.gz)?$/.test(e.name) || /\.ndjson(\.gz)?$/.test(e.name)) yield p
  }
}

// Timed inside, from the first file to the last event: node's own startup is not part of the floor.
const started = performance.now()
let events = 0
let bytes = 0
const target = process.argv[2]!
/** `--part i/n`: only every n-th file from the i-th, to see how the machine itself scales on n cores. */
const partArg = process.argv.includes('--part') ? process.argv[process.argv.indexOf('--part') + 1] : '0/1'
const [part, parts] = (partArg ?? '0/1').split('/').map(Number) as [number, number]

/** NDJSON is streamed (as iamtrail does), so the floor's memory is not the size of the file. */
async function ndjson(path: string): Promise<void> {
  let rest = ''
  // The same 1 MB chunks as iamtrail: Node's default 16 KB chunks make gunzip 3× slower.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })
    .pipe(createGunzip({ chunkSize: 1 << 20 }))
    .setEncoding('utf8') as AsyncIterable<string>) {
    bytes += chunk.length
    const text = rest + chunk
    let start = 0
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (nl > start) {
        JSON.parse(text.slice(start, nl))
        events++
      }
      start = nl + 1
    }
    rest = text.slice(start)
  }
  if (rest.trim()) {
    JSON.parse(rest)
    events++
  }
}

if (target.endsWith('.ndjson.gz')) await ndjson(target)
else {
  let n = 0
  for (const f of walk(target)) {
    if (n++ % parts !== part) continue
    const raw = readFileSync(f)
    // One output chunk sized from the gzip trailer, as iamtrail does: the fastest gunzipSync there is.
    const text = (f.endsWith('.gz') ? gunzipSync(raw, { chunkSize: gunzipChunkFor(raw) }) : raw).toString(
      'utf8',
    )
    bytes += text.length
    events += (JSON.parse(text) as { Records: unknown[] }).Records.length
  }
}
const seconds = (performance.now() - started) / 1000
process.stdout.write(`${JSON.stringify({ events, bytes, seconds })}\n`)
