import { open } from 'node:fs/promises'
import { constants, gunzipSync } from 'node:zlib'

/**
 * Whether a file in an input directory may hold CloudTrail, from its first bytes rather than its
 * name: exports come as `*.log` (Elastic, Logstash), without extension, or as anything else. JSON
 * text starts with `{` or `[` (after a byte-order mark or whitespace); gzip is looked into. What
 * this says no to is skipped and counted, never parsed (README.md, binaries, .DS_Store).
 */
const HEAD = 4096

export async function looksLikeCloudTrail(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(HEAD)
    const { bytesRead } = await fh.read(buf, 0, HEAD, 0)
    return startsLikeJson(buf.subarray(0, bytesRead), true)
  } finally {
    await fh.close()
  }
}

function startsLikeJson(head: Buffer, mayBeGzip: boolean): boolean {
  if (mayBeGzip && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    let inner: Buffer
    try {
      // The start of the stream only: a sync flush returns what the first bytes decompress to.
      inner = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH })
    } catch {
      return false
    }
    return startsLikeJson(inner, false)
  }
  return /^\s*[[{]/.test(headText(head))
}

/** The first characters, in the encoding the byte-order mark names (the reader decodes the same). */
function headText(head: Buffer): string {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le').decode(head.subarray(2))
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be').decode(head.subarray(2))
  return head.toString('latin1').replace(/^\xef\xbb\xbf/, '')
}
