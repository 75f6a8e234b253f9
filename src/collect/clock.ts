/**
 * Time as a port: the collector waits (rate limits, backoff, settling) only through this, so tests
 * run the whole settle loop in fake time (vitest fake timers drive `systemClock` too).
 */
export interface Clock {
  now(): number
  /** Resolves after `ms`, or early (never rejecting) when `signal` aborts; callers check `signal.aborted`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) {
        resolve()
        return
      }
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
    }),
}
