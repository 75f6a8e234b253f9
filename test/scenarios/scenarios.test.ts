import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import type { PolicyDiff } from '../../src/diff/diff-policy.js'
import { asArray, type PolicyDocument } from '../../src/policy/document.js'
import { runCli } from '../support/run-cli.js'
import { INVICTUS_LOGS, sharedData } from '../support/shared-data.js'
import { HERE, numbers, REPO, renderCaseStudy, TERRAFORM, TERRAFORM_PRINCIPAL, TOOLS } from './case-study.js'

/**
 * The five deploy tools of ../shared/reference/seeds, done by evidence: for each, the policy
 * iamtrail synthesizes and its markdown table (golden), the diff of the tool's own hand-written
 * policy against the recordings (golden), the facts the case study states, and the case study page
 * itself, regenerated and compared. UPDATE_GOLDEN=1 rewrites goldens and pages.
 */
const update = !!process.env.UPDATE_GOLDEN
function golden(file: string, actual: string) {
  mkdirSync(join(file, '..'), { recursive: true })
  if (update || !existsSync(file)) writeFileSync(file, actual)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

describe.each(TOOLS)('scenario $tool', (t) => {
  const dir = join(HERE, t.tool)
  const inputs = t.inputs.map((i) => join('test', 'scenarios', t.tool, i))
  const grantedFile = join('test', 'scenarios', t.tool, t.granted)

  it('the synthesized policy: golden, verified against the recordings, only real actions', async () => {
    const r = await runCli(['policy', ...inputs, '--verify', '-q'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/verify: all \d+ recorded grants are allowed/)
    golden(join(dir, 'golden', 'policy.json'), r.stdout)
    const doc = JSON.parse(r.stdout) as PolicyDocument
    const catalog = new Catalog()
    for (const a of doc.Statement.flatMap((s) => asArray(s.Action ?? []))) {
      const [p, n] = a.split(':') as [string, string]
      await catalog.ensureService(p)
      expect(catalog.action(p, n), a).toBeDefined()
    }
    const md = await runCli(['policy', ...inputs, '--format', 'markdown', '-q'])
    golden(join(dir, 'golden', 'permissions.md'), md.stdout)
  })

  it('the diff of the hand-written policy: golden', async () => {
    const r = await runCli(['diff', '--granted', grantedFile, ...inputs, '--format', 'json', '-q'])
    expect(r.code, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout) as PolicyDiff
    const reviewable = {
      summary: d.summary,
      missing: d.missing.map((m) => `${m.action} ${m.resource} (${m.reason})`),
      conditional: d.conditional.map((c) => `${c.action} ${c.resource} needs ${c.keys?.join(',')}`),
    }
    golden(join(dir, 'golden', 'diff.json'), `${JSON.stringify(reviewable, null, 2)}\n`)
    const md = await runCli(['diff', '--granted', grantedFile, ...inputs, '--format', 'markdown', '-q'])
    golden(join(dir, 'golden', 'diff.md'), md.stdout)
  })

  it('iamtrail grants strictly less than the hand-written policy, and the case study says so with these numbers', async () => {
    const n = await numbers(
      t.inputs.map((i) => join(dir, i)),
      join(dir, t.granted),
    )
    // Of what the hand grants, iamtrail keeps strictly less; whatever iamtrail adds, the hand was missing.
    expect(n.iamtrail.alsoByHand).toBeLessThan(n.hand.actions)
    const missing = new Set(n.missing.map((m) => m.split(' ')[0]!.toLowerCase()))
    for (const a of n.iamtrail.notByHand) expect(missing.has(a.toLowerCase()), a).toBe(true)
    const page = join(REPO, 'docs', 'case-studies', `${t.tool}.md`)
    const text = renderCaseStudy(t, n)
    if (update) writeFileSync(page, text)
    expect(
      readFileSync(page, 'utf8'),
      'docs/case-studies is out of date: npx tsx test/scenarios/case-study.ts',
    ).toBe(text)
  })
})

describe('case study: the real Terraform deploy and teardown (invictus corpus)', () => {
  const logs = sharedData(...INVICTUS_LOGS)
  it.skipIf(!logs)(
    'iamtrail keeps a sliver of AdministratorAccess, and the page has these numbers',
    async () => {
      const n = await numbers([logs!], TERRAFORM.granted, TERRAFORM_PRINCIPAL)
      expect(n.missing).toEqual([])
      expect(n.iamtrail.alsoByHand).toBe(n.iamtrail.actions)
      expect(n.iamtrail.actions * 50).toBeLessThan(n.hand.actions) // about 1%
      const page = join(REPO, 'docs', 'case-studies', `${TERRAFORM.tool}.md`)
      const text = renderCaseStudy(TERRAFORM, n)
      if (update) writeFileSync(page, text)
      expect(readFileSync(page, 'utf8')).toBe(text)
    },
    60_000,
  )
})
