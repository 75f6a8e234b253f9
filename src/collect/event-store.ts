import type { CloudTrailEvent } from '../events/cloudtrail-event.js'

/**
 * Events collected so far, by eventID: polls re-read the whole window and a resumed recording is
 * topped up, so the same event arrives many times and must count once.
 */
export class EventStore {
  private readonly byId = new Map<string, { event: CloudTrailEvent; region: string }>()

  /** True when the event is new. */
  add(event: CloudTrailEvent, region: string): boolean {
    if (this.byId.has(event.eventID)) return false
    this.byId.set(event.eventID, { event, region })
    return true
  }

  get size(): number {
    return this.byId.size
  }

  perRegion(regions: readonly string[] = []): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(regions.map((r) => [r, 0]))
    for (const { region } of this.byId.values()) counts[region] = (counts[region] ?? 0) + 1
    return counts
  }

  /** In time order, ties by eventID, so a recording's bytes depend only on its events. */
  sorted(): CloudTrailEvent[] {
    return [...this.byId.values()]
      .map((v) => v.event)
      .sort((a, b) =>
        a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.eventID < b.eventID ? -1 : 1,
      )
  }
}
