import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseHcl } from '@cdktf/hcl2json'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { Catalog } from '../../src/catalog/catalog.js'
import type { PolicyDocument } from '../../src/policy/document.js'
import { runCli } from '../support/run-cli.js'

/**
 * One folder per case under golden/: `args` holds the inputs and options of `iamtrail policy`;
 * expected.<format> holds the output for every format. A new case needs a folder, not code.
 * UPDATE_GOLDEN=1 rewrites the expectations; review the diff before committing.
 */
const here = fileURLToPath(new URL('.', import.meta.url))
const cases = readdirSync(join(here, 'golden')).sort()
const FORMATS = { json: 'json', cloudformation: 'yaml', terraform: 'tf', markdown: 'md' } as const

async function run(args: string[]) {
  const r = await runCli(['policy', ...args, '-q', '--verify'])
  expect(r.code, r.stderr).toBe(0)
  expect(r.stderr).toMatch(/verify: all \d+ recorded grants are allowed/)
  return r.stdout
}

describe.each(cases)('policy golden case %s', (name) => {
  const dir = join(here, 'golden', name)
  const args = readFileSync(join(dir, 'args'), 'utf8').trim().split(/\s+/)
  it.each(Object.entries(FORMATS))('%s', async (format, ext) => {
    const out = await run([...args, '--format', format])
    const file = join(dir, `expected.${ext}`)
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, out)
    expect(out).toBe(readFileSync(file, 'utf8'))
    if (format === 'cloudformation') {
      checkTemplate(out)
      lintTemplate(out)
    }
    if (format === 'terraform')
      expect(Object.keys((await parseHcl('main.tf', out)).resource.aws_iam_policy)).not.toHaveLength(0)
    if (format === 'json') checkPolicy(JSON.parse(out) as PolicyDocument)
  })
})

function checkPolicy(doc: PolicyDocument) {
  expect(doc.Version).toBe('2012-10-17')
  const sids = doc.Statement.map((s) => s.Sid)
  expect(new Set(sids).size).toBe(sids.length)
  for (const s of doc.Statement) {
    expect(s.Effect).toBe('Allow')
    expect(Array.isArray(s.Action) && s.Action.length > 0).toBe(true)
    // iam:PassRole always stands alone, with iam:PassedToService.
    if ((s.Action as string[]).includes('iam:PassRole')) {
      expect(s.Action).toEqual(['iam:PassRole'])
      expect(JSON.stringify(s.Condition)).toContain('iam:PassedToService')
    }
  }
}

/**
 * cfn-lint is a Python tool (not on npm); where it is installed it validates every template against
 * CloudFormation's resource specification. Elsewhere the schema checks below still run.
 */
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0
if (!cfnLint) console.warn('cfn-lint not found: CloudFormation templates get schema checks only')

function lintTemplate(text: string) {
  if (!cfnLint) return
  const file = join(mkdtempSync(join(tmpdir(), 'iamtrail-cfn-')), 'template.yaml')
  writeFileSync(file, text)
  const r = spawnSync('cfn-lint', [file], { encoding: 'utf8' })
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0)
}

/** The shapes CloudFormation accepts, checked even where cfn-lint is absent. */
function checkTemplate(text: string) {
  const t = parseYaml(text) as {
    AWSTemplateFormatVersion: string
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>
  }
  expect(String(t.AWSTemplateFormatVersion)).toBe('2010-09-09')
  for (const [logicalId, r] of Object.entries(t.Resources)) {
    expect(logicalId).toMatch(/^[A-Za-z0-9]+$/)
    expect(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role']).toContain(r.Type)
    if (r.Type === 'AWS::IAM::ManagedPolicy') {
      const doc = r.Properties.PolicyDocument as PolicyDocument
      expect(String(doc.Version)).toBe('2012-10-17')
      expect(JSON.stringify(doc).replace(/\s/g, '').length).toBeLessThanOrEqual(6144)
    }
  }
}

describe('policy options', () => {
  it('writes a role with its trust policy and split managed policies that cfn-lint accepts', async () => {
    const out = await run([
      'examples/cfn-lambda-deploy.rec',
      '--format',
      'cloudformation',
      '--role-name',
      'orders-deployer',
      '--trust',
      '123456789012',
      '--max-size',
      '800',
      '--portable',
    ])
    const t = parseYaml(out) as { Resources: Record<string, { Type: string }> }
    const types = Object.values(t.Resources).map((r) => r.Type)
    expect(types).toContain('AWS::IAM::Role')
    expect(types.filter((x) => x === 'AWS::IAM::ManagedPolicy').length).toBeGreaterThan(1)
    checkTemplate(out)
    lintTemplate(out)
  })

  it('merging a deploy with its teardown remembers which recording used each grant', async () => {
    const md = await run([
      'examples/cfn-lambda-deploy.rec',
      'test/synthesize/fixtures/cfn-lambda-teardown.rec',
      '--format',
      'markdown',
    ])
    expect(md).toContain('from recordings deploy, teardown')
    expect(md).toMatch(/`iam:DeleteRole`.*in teardown/)
    expect(md).toMatch(/`iam:CreateRole`.*in deploy/)
  })
  it('generalizes only the volatile parts of names, and says so', async () => {
    const r = await runCli(['policy', 'examples/cfn-lambda-deploy.rec'])
    expect(r.stderr).toContain(
      'generalized iam role: arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-1JX9Q2ZK4M7TB → arn:aws:iam::123456789012:role/orders-api-prod-OrdersFunctionRole-* (CloudFormation physical-id suffix)',
    )
    const doc = JSON.parse(r.stdout) as PolicyDocument
    const resources = doc.Statement.flatMap((s) => s.Resource as string[])
    // `*` only where IAM offers nothing narrower: actions without resource types (ListStacks).
    const catalog = new Catalog()
    for (const s of doc.Statement.filter((s) => (s.Resource as string[]).includes('*')))
      for (const a of s.Action as string[]) {
        const [p, n] = a.split(':') as [string, string]
        await catalog.ensureService(p)
        expect(catalog.action(p, n)?.resourceTypes, a).toEqual([])
      }
    expect(resources).toContain('arn:aws:s3:::orders-api-prod-assetsbucket-*')
  })
  it('rejects an unknown format or resource mode with what to use', async () => {
    expect((await runCli(['policy', 'examples/cfn-lambda-deploy.rec', '--format', 'xml'])).stderr).toContain(
      'use json, cloudformation, terraform, markdown',
    )
    expect(
      (await runCli(['policy', 'examples/cfn-lambda-deploy.rec', '--resources', 'wide'])).stderr,
    ).toContain('use exact, generalize, or prefix:<p>')
  })
  it('splits into several managed policies under --max-size, deterministically', async () => {
    const a = await runCli(['policy', 'examples/cfn-lambda-deploy.rec', '--max-size', '700', '-q'])
    const b = await runCli(['policy', 'examples/cfn-lambda-deploy.rec', '--max-size', '700', '-q'])
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    const docs = JSON.parse(a.stdout) as PolicyDocument[]
    expect(docs.length).toBeGreaterThan(1)
    for (const d of docs) expect(JSON.stringify(d).length).toBeLessThanOrEqual(700)
    const r = await runCli([
      'policy',
      'examples/cfn-lambda-deploy.rec',
      '--max-size',
      '700',
      '--max-policies',
      '2',
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('more than --max-policies 2')
  })
})
