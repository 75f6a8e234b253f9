import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { actionMatches, arnMatches, globMatch } from '../../src/granted/wildcard.js'

/** The obvious exponential reference: fine for short strings, which is all the property test uses. */
function reference(p: string, t: string): boolean {
  if (p === '') return t === ''
  if (p[0] === '*') return reference(p.slice(1), t) || (t !== '' && reference(p, t.slice(1)))
  return t !== '' && (p[0] === '?' || p[0] === t[0]) && reference(p.slice(1), t.slice(1))
}

describe('IAM wildcard matching', () => {
  it('agrees with the textbook definition of * and ?', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', ':', '/')
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', ':', '/'), maxLength: 10 }),
        (p, t) => {
          expect(globMatch(p, t)).toBe(reference(p, t))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('treats regular-expression characters as text', () => {
    expect(globMatch('a.c', 'abc')).toBe(false)
    expect(globMatch('a(b|c)', 'a(b|c)')).toBe(true)
    expect(actionMatches('s3:Get*', 's3:getobject')).toBe(true)
    expect(arnMatches('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b')).toBe(true)
    expect(arnMatches('arn:aws:*:::bucket', 'arn:aws:s3:us-east-1::bucket')).toBe(false)
  })

  it('answers pathological patterns at once (no exponential backtracking)', () => {
    const pattern = `arn:aws:s3:::${'*b'.repeat(30)}*c`
    const name = `arn:aws:s3:::${'b'.repeat(60)}`
    const started = process.hrtime.bigint()
    for (let i = 0; i < 100; i++) {
      expect(arnMatches(pattern, name)).toBe(false)
      expect(actionMatches(`s3:${'*a'.repeat(30)}*z`, `s3:${'a'.repeat(60)}`)).toBe(false)
    }
    // A regex-based matcher takes minutes on one of these; a quadratic one takes microseconds.
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(2)
  })
})
