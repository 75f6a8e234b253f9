import type { Clock } from '../clock.js'

/**
 * LookupEvents allows 2 requests per second per account per region. Each region gets one limiter
 * that every request of that region (every page, every retry, every settle poll) goes through, so
 * the rate holds however many loops run. Grants are spaced evenly (1/rate apart), reserved
 * synchronously, so concurrent callers are serialized without a queue: any 1-second window holds
 * at most `perSecond` grants.
 */
/**
 * Requests spaced exactly 500 ms apart can reach AWS a few milliseconds closer together (network and
 * event-loop jitter) and count as 3 in one second there; a small margin keeps them under.
 */
const JITTER_MARGIN_MS = 20

export class RateLimiter {
  private nextGrant = Number.NEGATIVE_INFINITY
  private readonly spacingMs: number

  constructor(
    perSecond: number,
    private readonly clock: Clock,
  ) {
    this.spacingMs = 1000 / perSecond + JITTER_MARGIN_MS
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now()
    const at = Math.max(now, this.nextGrant)
    this.nextGrant = at + this.spacingMs
    if (at > now) await this.clock.sleep(at - now, signal)
  }
}

/** AWS documents 2 LookupEvents requests per second per account per region. */
export const LOOKUP_EVENTS_PER_SECOND = 2

/** One limiter per region, created on first use. */
export class RegionLimiters {
  private readonly byRegion = new Map<string, RateLimiter>()
  constructor(
    private readonly clock: Clock,
    private readonly perSecond = LOOKUP_EVENTS_PER_SECOND,
  ) {}
  for(region: string): RateLimiter {
    let l = this.byRegion.get(region)
    if (!l) {
      l = new RateLimiter(this.perSecond, this.clock)
      this.byRegion.set(region, l)
    }
    return l
  }
}
