/**
 * The physical limit iamtrail is compared with: gunzip + JSON.parse of the same files, one core,
 * nothing else. Prints the number of events and bytes read as JSON on stdout.
 */

import { createReadStream } from 'node:fs'
import { opendir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createGunzip, gunzipSync } from 'node:zlib'

async function* walk(dir: string): AsyncGenerator<string> {
  const entries: string[] = []
  for await (const d of await opendir(dir)) entries.push(d.name)
  entries.sort()
  for (const name of entries) {
    const p = join(dir, name)
    const isDir = (await opendir(p)
      .then((h) => (h.close(), true))
      .catch(() => false)) as boolean
    if (isDir) yield* walk(p)
    else if (/\.json(\.gz)?$/.test(name) || /\.ndjson(\.gz)?$/.test(name)) yield p
  }
}

let events = 0
let bytes = 0
const target = process.argv[2]!

/** NDJSON is streamed (as iamtrail does), so the floor's memory is not the size of the file. */
async function ndjson(path: string): Promise<void> {
  let rest = ''
  for await (const chunk of createReadStream(path)
    .pipe(createGunzip())
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
  for await (const f of walk(target)) {
    const raw = await readFile(f)
    const text = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')
    bytes += text.length
    events += (JSON.parse(text) as { Records: unknown[] }).Records.length
  }
}
process.stdout.write(`${JSON.stringify({ events, bytes })}\n`)
