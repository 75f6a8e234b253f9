import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../../src/collect/clock.js'
import { RateLimiter, RegionLimiters } from '../../../src/collect/lookup/rate-limiter.js'
import { maxInWindow } from '../../support/fake-cloudtrail.js'

beforeEach(() => {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('RateLimiter', () => {
  it('grants concurrent callers at most 2 per second, in order, without losing any', async () => {
    const limiter = new RateLimiter(2, systemClock)
    const grants: { at: number; i: number }[] = []
    const all = Array.from({ length: 9 }, (_, i) =>
      limiter.acquire().then(() => grants.push({ at: Date.now(), i })),
    )
    await vi.advanceTimersByTimeAsync(10_000)
    await Promise.all(all)
    expect(grants.map((g) => g.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(maxInWindow(grants)).toBe(2)
    expect(grants.at(-1)!.at).toBeLessThan(4500) // and not much slower than the limit
  })

  it('does not make an idle caller wait', async () => {
    const limiter = new RateLimiter(2, systemClock)
    await limiter.acquire()
    vi.advanceTimersByTime(5000)
    const before = Date.now()
    await limiter.acquire()
    expect(Date.now()).toBe(before)
  })

  it('keeps one limiter per region, so regions do not slow each other down', () => {
    const l = new RegionLimiters(systemClock)
    expect(l.for('eu-west-1')).toBe(l.for('eu-west-1'))
    expect(l.for('eu-west-1')).not.toBe(l.for('us-east-1'))
  })

  it('returns early when aborted while waiting', async () => {
    const limiter = new RateLimiter(2, systemClock)
    await limiter.acquire()
    const ac = new AbortController()
    const p = limiter.acquire(ac.signal)
    ac.abort()
    await p
    expect(Date.now()).toBe(0)
  })
})
