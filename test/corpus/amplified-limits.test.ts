import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { PolicyDocument } from '../../src/policy/document.js'
import { runCli } from '../support/run-cli.js'
import { INVICTUS_LOGS, REPO_ROOT, sharedData } from '../support/shared-data.js'

const logs = sharedData(...INVICTUS_LOGS)
const amplify = join(REPO_ROOT, '..', 'shared', 'tools', 'amplify.py')
const ready = logs !== undefined && existsSync(amplify)
if (!ready) console.warn(`[skip] ${amplify} or the invictus corpus is absent`)
const out = mkdtempSync(join(tmpdir(), 'iamtrail-amp20-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe.skipIf(!ready)('corpus: 20× the invictus events (58,000), built with amplify.py', () => {
  it('every emitted document is within the managed-policy limit, and the split is deterministic', async () => {
    execFileSync(
      'python3',
      [amplify, logs!, out, '--replicas', '20', '--principal-copies', '1', '--lookup-sample', '0'],
      { stdio: 'ignore' },
    )
    const args = [
      'policy',
      join(out, 'AWSLogs'),
      '--principal',
      'arn:aws:iam::123837392027:user/bert-jan-p00',
      '--resources',
      'exact',
      '--max-size',
      '6144',
      '-q',
    ]
    const a = await runCli(args)
    const b = await runCli(args)
    expect(a.code, a.stderr).toBe(0)
    expect(b.stdout).toBe(a.stdout)
    const parsed = JSON.parse(a.stdout) as PolicyDocument | PolicyDocument[]
    const docs = Array.isArray(parsed) ? parsed : [parsed]
    expect(docs.length).toBeGreaterThan(1)
    for (const d of docs) expect(JSON.stringify(d).length).toBeLessThanOrEqual(6144)
  })
})
