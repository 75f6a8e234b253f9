import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseHcl } from '@cdktf/hcl2json'
import { describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/** What a new user meets first: help texts, names kept as given, options that say when they did nothing (issue 16). */
const rec = 'examples/cfn-lambda-deploy.rec'

describe('first use', () => {
  it('explain exits non-zero when it knows nothing of the call', async () => {
    const r = await runCli(['explain', 'foo.amazonaws.com', 'Bar'])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('nothing covers foo.amazonaws.com Bar')
  })

  it('terraform keeps --policy-name as the IAM policy name, and refuses a name IAM would reject', async () => {
    const r = await runCli([
      'policy',
      rec,
      '--format',
      'terraform',
      '--policy-name',
      'orders-api.deployer',
      '-q',
    ])
    expect(r.code, r.stderr).toBe(0)
    const tf = (await parseHcl('main.tf', r.stdout)) as {
      resource: { aws_iam_policy: Record<string, { name: string }[]> }
    }
    const policies = tf.resource.aws_iam_policy
    expect(Object.keys(policies)).toEqual(['orders_api_deployer'])
    expect(policies.orders_api_deployer![0]!.name).toBe('orders-api.deployer')
    const split = await runCli([
      'policy',
      rec,
      '--format',
      'terraform',
      '--policy-name',
      'orders-deployer',
      '--max-size',
      '700',
      '-q',
    ])
    expect(split.stdout).toContain('name        = "orders-deployer-1"')
    const bad = await runCli(['policy', rec, '--format', 'terraform', '--policy-name', 'my policy!'])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain('--policy-name "my policy!": IAM policy names are')
  })

  it('--resources prefix: that matches no recorded name says so on stderr', async () => {
    const r = await runCli(['policy', rec, '--resources', 'prefix:nope,orders-api'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('--resources prefix:nope matches no recorded resource name')
    expect(r.stderr).toContain('[resource.prefix-unmatched]')
    expect(r.stderr).not.toContain('prefix:orders-api matches no')
  })

  it('queries print --help lists only options print uses; install keeps the Athena run options', async () => {
    const print = await runCli(['queries', 'print', '--help'])
    expect(print.code).toBe(0)
    for (const opt of ['--database', '--table', '--accounts', '--bucket', '--regions', '--start-day'])
      expect(print.stdout).toContain(opt)
    for (const opt of ['--workgroup', '--output-location', '--max-scan-gb'])
      expect(print.stdout).not.toContain(opt)
    const install = await runCli(['queries', 'install', '--help'])
    for (const opt of ['--workgroup', '--output-location', '--max-scan-gb'])
      expect(install.stdout).toContain(opt)
  })

  it.each([
    'policy',
    'record',
    'collect',
    'diff',
    'creep',
    'explain',
    'queries',
    'queries print',
    'queries install',
  ])('every multi-line example of %s --help has its line-continuation backslash', async (name) => {
    const cmd = name.split(' ')
    const r = await runCli([...cmd, '--help'])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    lines.forEach((line, i) => {
      // An example's continuation is indented under its `$ iamtrail`: the line before ends with `\`.
      if (/^ {6}--/.test(lines[i + 1] ?? '')) expect(line, `${cmd.join(' ')}: ${line}`).toMatch(/ \\$/)
      // A `\` that JavaScript swallowed joins two lines into one far wider than a terminal.
      if (/^\s+\$ /.test(line)) expect(line, `${cmd.join(' ')}`).not.toMatch(/\S {3,}--/)
    })
  })

  it('the Sids docs/policy.md names are Sids the output uses', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'policy.md'), 'utf8')
    const section = doc.slice(doc.indexOf('readable Sids'), doc.indexOf('`iam:PassRole` always'))
    const named = [...section.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((m) => m[1]!)
    expect(named.length).toBeGreaterThan(3)
    const emitted = new Set<string>()
    const add = (text: string) => {
      for (const m of text.matchAll(/"Sid": "([A-Za-z0-9]+)"/g)) emitted.add(m[1]!)
    }
    for (const root of ['test/synthesize/golden', 'test/scenarios'])
      for (const f of readdirSync(join(REPO_ROOT, root), { recursive: true, encoding: 'utf8' }))
        if (f.endsWith('.json')) add(readFileSync(join(REPO_ROOT, root, f), 'utf8'))
    // Sids of a cut statement appear only under a small --max-size.
    add((await runCli(['policy', rec, '--max-size', '350', '--max-policies', '50', '-q'])).stdout)
    for (const sid of named) expect(emitted.has(sid), sid).toBe(true)
  })

  it('no stray trace logs are tracked', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
    expect(files).not.toMatch(/node_trace/)
  })
})
