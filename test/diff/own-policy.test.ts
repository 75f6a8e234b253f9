import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { namesNothing, type PolicyDiff } from '../../src/diff/diff-policy.js'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/**
 * Issue 16.10: a policy iamtrail wrote, diffed against the recordings it came from, has no findings
 * at all, so `diff --fail-on …` is a CI gate that can be trusted. Every golden policy is checked:
 * test/synthesize/golden/* (inputs in `args`) and test/scenarios/* (deploy and teardown).
 */
const synthesize = join(REPO_ROOT, 'test', 'synthesize', 'golden')
const scenarios = join(REPO_ROOT, 'test', 'scenarios')
const cases: { name: string; inputs: string[]; policy: string }[] = [
  ...readdirSync(synthesize)
    .sort()
    .map((name) => ({
      name: `synthesize/${name}`,
      inputs: readFileSync(join(synthesize, name, 'args'), 'utf8')
        .trim()
        .split(/\s+/)
        .filter((a) => a.endsWith('.rec')),
      policy: join(synthesize, name, 'expected.json'),
    })),
  ...readdirSync(scenarios, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({
      name: `scenarios/${name}`,
      inputs: ['deploy.rec', 'teardown.rec'].map((f) => join('test', 'scenarios', name, f)),
      policy: join(scenarios, name, 'golden', 'policy.json'),
    })),
]

/** Split output (an array of documents) becomes one file per document, as a user would attach them. */
function policyFiles(path: string): string {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown
  if (!Array.isArray(parsed)) return path
  const dir = mkdtempSync(join(tmpdir(), 'iamtrail-own-'))
  for (const [i, doc] of parsed.entries()) writeFileSync(join(dir, `policy-${i}.json`), JSON.stringify(doc))
  return dir
}

describe.each(cases)('iamtrail diff of its own policy: $name', ({ inputs, policy }) => {
  it('has no findings, and no gate trips', async () => {
    const r = await runCli([
      'diff',
      '--granted',
      policyFiles(policy),
      ...inputs,
      '--format',
      'json',
      '-q',
      '--fail-on',
      'missing,unused,broad,conditional',
    ])
    const d = JSON.parse(r.stdout) as PolicyDiff
    expect({
      missing: d.missing.map((m) => `${m.action} ${m.resource}`),
      conditional: d.conditional.map((m) => `${m.action} ${m.resource}`),
      unused: d.statements.flatMap((s) => s.unused),
      broad: d.statements.flatMap((s) => s.broad.map((b) => `${b.action} ${b.grantedOn} ${b.usedOn}`)),
    }).toEqual({ missing: [], conditional: [], unused: [], broad: [] })
    expect(r.code, r.stderr).toBe(0)
  })
})

describe('what counts as broad: a pattern that names no resource', () => {
  it.each([
    ['*', true],
    ['arn:aws:iam::123456789012:role/*', true],
    ['arn:aws:s3:::*', true],
    ['arn:aws:logs:us-east-1:123456789012:log-group:*', true],
    ['arn:aws:cloudformation:*:*:stack/*/*', true],
    ['arn:aws:iam::*:role/app-*', false],
    ['arn:aws:cloudformation:*:*:stack/app/*', false],
    ['arn:aws:s3:::app-bucket/*', false],
    ['arn:aws:iam::123456789012:role/app', false],
  ])('%s names nothing: %s', (pattern, expected) => {
    expect(namesNothing(pattern)).toBe(expected)
  })
})
