/**
 * What one call asked for: the action, the resource, and the request context. Keys the context
 * does not know are *unknown*, not absent: a condition on them makes the answer `conditional`.
 */
export interface AuthzRequest {
  action: string
  resource: string
  /** Known keys, lower-cased, with their values (an empty array = known to be absent). */
  context: ReadonlyMap<string, readonly string[]>
}

export function contextOf(
  entries: Record<string, string | readonly string[] | undefined>,
): Map<string, readonly string[]> {
  const m = new Map<string, readonly string[]>()
  for (const [k, v] of Object.entries(entries)) {
    m.set(k.toLowerCase(), v === undefined ? [] : typeof v === 'string' ? [v] : v)
  }
  return m
}
