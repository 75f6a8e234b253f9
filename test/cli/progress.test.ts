import { describe, expect, it, vi } from 'vitest'
import { createProgress } from '../../src/cli/progress.js'

function stream(isTTY: boolean) {
  const out: string[] = []
  return {
    out,
    s: { isTTY, columns: 60, write: (t: string) => out.push(t) } as unknown as NodeJS.WriteStream,
  }
}

describe('collection progress on stderr', () => {
  it('prints plain lines off a terminal: polls, throttles, failures, and a countdown at most every 30 s', () => {
    vi.useFakeTimers({ now: 0, toFake: ['Date'] })
    try {
      const { out, s } = stream(false)
      const p = createProgress(['eu-west-1', 'us-east-1'], s)
      p.update({ kind: 'page', region: 'eu-west-1', poll: 1, pages: 1, matched: 50 })
      p.update({ kind: 'throttled', region: 'eu-west-1', retryInMs: 2000 })
      p.update({
        kind: 'region-failed',
        region: 'us-east-1',
        failure: { kind: 'failed', code: 'InternalFailure', message: 'boom' },
      })
      p.update({
        kind: 'poll-done',
        poll: 1,
        fresh: 50,
        total: 50,
        perRegion: { 'eu-west-1': 50, 'us-east-1': 0 },
      })
      p.update({ kind: 'waiting', poll: 1, settleLeftMs: 300_000, maxWaitLeftMs: 1_200_000 })
      vi.advanceTimersByTime(10_000)
      p.update({ kind: 'waiting', poll: 2, settleLeftMs: 290_000, maxWaitLeftMs: 1_190_000 })
      vi.advanceTimersByTime(25_000)
      p.update({ kind: 'waiting', poll: 3, settleLeftMs: 265_000, maxWaitLeftMs: 1_165_000 })
      p.done()
      const text = out.join('')
      expect(text).not.toContain('\x1b[')
      expect(text).toContain('eu-west-1: throttled, retrying in 2 s')
      expect(text).toContain('us-east-1: LookupEvents failed (InternalFailure: boom)')
      expect(text).toContain('poll 1: 50 events (50 new): eu-west-1 50, us-east-1 0')
      expect(text.match(/waiting for CloudTrail delivery/g)).toHaveLength(2)
      expect(text).toContain('settled in 5m00s')
    } finally {
      vi.useRealTimers()
    }
  })

  it('redraws one line per region in place on a terminal, cut to its width', () => {
    const { out, s } = stream(true)
    const saved = process.env.CI
    delete process.env.CI
    try {
      const p = createProgress(['eu-west-1', 'us-east-1'], s)
      p.update({ kind: 'page', region: 'eu-west-1', poll: 1, pages: 3, matched: 120 })
      p.update({ kind: 'waiting', poll: 1, settleLeftMs: 61_000, maxWaitLeftMs: 1_000_000 })
      const last = out.at(-1) ?? ''
      expect(out.join('')).toContain('\x1b[3A') // back over the 2 regions + status line
      expect(last).toMatch(/eu-west-1\s+3 pages\s+120 events/)
      for (const line of last.split('\n').filter(Boolean))
        expect(line.replace('\x1b[2K', '').length).toBeLessThan(60)
    } finally {
      if (saved !== undefined) process.env.CI = saved
    }
  })

  it('is silent with --quiet', () => {
    const { out, s } = stream(false)
    createProgress(['eu-west-1'], s, true).update({ kind: 'throttled', region: 'eu-west-1', retryInMs: 1000 })
    expect(out).toEqual([])
  })
})
