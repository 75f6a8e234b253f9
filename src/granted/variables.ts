/**
 * Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, and the escapes `${*}`, `${?}`,
 * `${$}`. A variable whose key the request does not tell us makes the value unknown, never "".
 * `${key, 'default'}` uses the default when the key is known to be absent.
 */
export function substituteVariables(
  value: string,
  context: ReadonlyMap<string, readonly string[]>,
): { value: string; unknown: string[] } {
  if (!value.includes('${')) return { value, unknown: [] }
  const unknown: string[] = []
  const out = value.replace(/\$\{([^}]+)\}/g, (_m, inner: string) => {
    if (inner === '*' || inner === '?' || inner === '$') return inner
    const [rawKey, rawDefault] = inner.split(',').map((s) => s.trim()) as [string, string | undefined]
    const known = context.get(rawKey.toLowerCase())
    if (known === undefined) {
      unknown.push(rawKey)
      return ''
    }
    if (known.length === 0) {
      if (rawDefault !== undefined) return rawDefault.replace(/^'|'$/g, '')
      unknown.push(rawKey)
      return ''
    }
    return known[0]!
  })
  return { value: out, unknown }
}
