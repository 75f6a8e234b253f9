import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { asArray, type PolicyDocument } from '../../src/policy/document.js'
import { REPO_ROOT } from '../support/shared-data.js'

/**
 * Issue 15's bar: no golden policy grants a whole resource type (`instance/*`, `sg-*`, `log-group:*`)
 * unless the grant carries a condition that scopes it (a tag set at create, the account, the
 * CreateAction of a tag-on-create). A widening nothing can scope is a finding, not a silent `*`.
 */
const policies = [
  ...readdirSync(join(REPO_ROOT, 'test/synthesize/golden')).map((d) =>
    join(REPO_ROOT, 'test/synthesize/golden', d, 'expected.json'),
  ),
  ...readdirSync(join(REPO_ROOT, 'test/scenarios'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(REPO_ROOT, 'test/scenarios', d.name, 'golden', 'policy.json')),
].filter((f) => existsSync(f))

/** The name part of an ARN is only a type and a wildcard, or a one-id prefix (`sg-*`, `i-*`). */
const wholeType = (arn: string) => {
  const name = arn.split(':').slice(5).join(':')
  return /^[A-Za-z-]+[/:]\*$/.test(name) || /^[A-Za-z-]+\/[a-z]{1,5}-\*$/.test(name)
}

describe('golden policies: a whole resource type only with a scoping condition', () => {
  it('covers every golden policy', () => expect(policies.length).toBeGreaterThanOrEqual(10))
  it.each(policies.map((p) => [p.slice(REPO_ROOT.length + 1), p]))('%s', (_name, file) => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as PolicyDocument | PolicyDocument[]
    const unscoped = (Array.isArray(parsed) ? parsed : [parsed])
      .flatMap((d) => d.Statement)
      .flatMap((s) =>
        s.Condition
          ? []
          : asArray(s.Resource ?? [])
              .filter(wholeType)
              .map((r) => `${s.Sid} ${r}`),
      )
    expect(unscoped).toEqual([])
  })
})
