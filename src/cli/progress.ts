import type { CollectProgress } from '../collect/lookup/lookup.js'

/**
 * The collection's progress on stderr: on a terminal, one live line per region plus the settle
 * countdown, redrawn in place; elsewhere (CI, pipes) plain lines at each poll, failure and throttle,
 * never more than one countdown line per 30 s so logs stay short.
 */
export interface ProgressRenderer {
  update(p: CollectProgress): void
  done(): void
}

interface RegionState {
  pages: number
  matched: number
  throttles: number
  failed?: string
}

const PLAIN_COUNTDOWN_EVERY_MS = 30_000

export function createProgress(
  regions: readonly string[],
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
): ProgressRenderer {
  if (quiet) return { update() {}, done() {} }
  const state = new Map<string, RegionState>(regions.map((r) => [r, { pages: 0, matched: 0, throttles: 0 }]))
  let status = 'collecting…'
  const live = Boolean(stream.isTTY) && !process.env.CI
  let drawn = 0
  let lastPlainCountdown = Number.NEGATIVE_INFINITY
  const lines = () => [
    ...[...state].map(
      ([r, s]) =>
        `  ${r.padEnd(15)} ${String(s.pages).padStart(4)} pages ${String(s.matched).padStart(6)} events` +
        (s.throttles ? `  ${s.throttles} throttled` : '') +
        (s.failed ? `  FAILED: ${s.failed}` : ''),
    ),
    `  ${status}`,
  ]
  const redraw = () => {
    if (drawn) stream.write(`\x1b[${drawn}A`)
    const ls = lines()
    // Lines longer than the terminal would wrap and break the cursor-up count.
    const width = Math.max(20, (stream.columns ?? 200) - 1)
    stream.write(ls.map((l) => `\x1b[2K${l.slice(0, width)}\n`).join(''))
    drawn = ls.length
  }
  const plain = (line: string) => stream.write(`iamtrail: ${line}\n`)
  return {
    update(p) {
      const s = 'region' in p ? state.get(p.region) : undefined
      switch (p.kind) {
        case 'page':
          if (s) Object.assign(s, { pages: p.pages, matched: p.matched, failed: undefined })
          break
        case 'throttled':
          if (s) s.throttles++
          if (!live) plain(`${p.region}: throttled, retrying in ${Math.round(p.retryInMs / 1000)} s`)
          break
        case 'region-failed':
          if (s) s.failed = `${p.failure.code}: ${p.failure.message}`
          if (!live) plain(`${p.region}: LookupEvents failed (${p.failure.code}: ${p.failure.message})`)
          break
        case 'poll-done':
          status = `poll ${p.poll}: ${p.total} events (${p.fresh} new)`
          if (!live) {
            const per = Object.entries(p.perRegion)
              .map(([r, n]) => `${r} ${n}`)
              .join(', ')
            plain(`${status}: ${per}`)
          }
          break
        case 'waiting': {
          status = `waiting for CloudTrail delivery: settled in ${formatMs(p.settleLeftMs)} unless new events arrive (gives up in ${formatMs(p.maxWaitLeftMs)}); Ctrl-C saves what is collected`
          const now = Date.now()
          if (!live && now - lastPlainCountdown >= PLAIN_COUNTDOWN_EVERY_MS) {
            lastPlainCountdown = now
            plain(status)
          }
          break
        }
      }
      if (live) redraw()
    },
    done() {
      if (live && drawn) redraw()
    },
  }
}

export function formatMs(ms: number): string {
  const s = Math.ceil(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`
}
