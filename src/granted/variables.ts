/**
 * Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, and the escapes `${*}`, `${?}`,
 * `${$}`. A variable whose key the request does not tell us makes the value unknown, never "".
 * `${key, 'default'}` uses the default when the key is known to be absent.
 */
/** Private-use characters the glob matcher reads as a literal `*` and `?` (never wildcards). */
export const LITERAL_STAR = '\uE000'
export const LITERAL_QUESTION = '\uE001'

export function substituteVariables(
  value: string,
  context: ReadonlyMap<string, readonly string[]>,
  /** For a Resource pattern: `${*}`/`${?}` become LITERAL_STAR/LITERAL_QUESTION, which match only themselves. */
  opts: { literalWildcards?: boolean } = {},
): { value: string; unknown: string[] } {
  if (!value.includes('${')) return { value, unknown: [] }
  const unknown: string[] = []
  const out = value.replace(/\$\{([^}]+)\}/g, (_m, inner: string) => {
    if (opts.literalWildcards && inner === '*') return LITERAL_STAR
    if (opts.literalWildcards && inner === '?') return LITERAL_QUESTION
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
