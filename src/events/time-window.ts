/** A closed-open time window [start, end) in ISO-8601 UTC; either side may be open. */
export interface TimeWindow {
  start?: Date
  end?: Date
}

/**
 * CloudTrail names a log file by the time it delivered it, which is after every event inside.
 * Delivery is usually within 5-15 minutes but is not guaranteed; a file stamped more than this
 * margin after the window's end is assumed to hold no event of the window.
 */
export const DELIVERY_MARGIN_MS = 6 * 60 * 60 * 1000

export function inWindow(eventTime: string, w: TimeWindow): boolean {
  if (!w.start && !w.end) return true
  const t = Date.parse(eventTime)
  if (Number.isNaN(t)) return false
  if (w.start && t < w.start.getTime()) return false
  if (w.end && t >= w.end.getTime()) return false
  return true
}

/** From `…_CloudTrail_eu-west-1_20231010T1205Z_abc.json.gz`, the delivery time; undefined if not an S3 key. */
export function deliveryTimeOfKey(fileName: string): Date | undefined {
  const m = /_CloudTrail_[a-z0-9-]+_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/.exec(fileName)
  if (!m) return undefined
  const [, y, mo, d, h, mi] = m
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)))
}

/** True when a log file cannot hold an event of the window, judged by its S3 key alone. */
/**
 * Key times are minute-rounded and files were seen stamped 3 s after their last event (invictus
 * dataset); the slack keeps a file whose stamp is just before the window start.
 */
export const KEY_CLOCK_SLACK_MS = 5 * 60 * 1000

export function keyOutsideWindow(fileName: string, w: TimeWindow): boolean {
  const delivered = deliveryTimeOfKey(fileName)
  if (!delivered) return false
  if (w.start && delivered.getTime() + KEY_CLOCK_SLACK_MS < w.start.getTime()) return true
  if (w.end && delivered.getTime() > w.end.getTime() + DELIVERY_MARGIN_MS) return true
  return false
}
