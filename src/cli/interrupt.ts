/**
 * Ctrl-C while iamtrail waits for CloudTrail aborts the wait instead of the process, so what was
 * collected is saved (marked possibly incomplete). A second Ctrl-C exits at once.
 */
export function abortOnInterrupt(onFirst?: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController()
  const handler = () => {
    if (controller.signal.aborted) process.exit(130)
    onFirst?.()
    controller.abort()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
