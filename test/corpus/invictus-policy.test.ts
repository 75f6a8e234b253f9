import { describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import type { PolicyDocument } from '../../src/policy/document.js'
import { runCli } from '../support/run-cli.js'
import { BERT_JAN, INVICTUS_LOGS, sharedData } from '../support/shared-data.js'

const logs = sharedData(...INVICTUS_LOGS)

describe.skipIf(!logs)('corpus: the real invictus Terraform deploy and teardown of user/bert-jan', () => {
  it('yields a policy with what the deploy really did, and only real IAM actions', async () => {
    const r = await runCli(['policy', logs!, '--principal', BERT_JAN])
    expect(r.code, r.stderr).toBe(0)
    const policy = JSON.parse(r.stdout) as PolicyDocument
    const actions = new Set(policy.Statement.flatMap((s) => s.Action as string[]))
    for (const a of [
      'ec2:CreateVpc',
      'iam:CreateRole',
      'lambda:CreateFunction',
      's3:CreateBucket',
      'rds:CreateDBInstance',
    ]) {
      expect(actions, a).toContain(a)
    }
    const catalog = new Catalog()
    const unknown: string[] = []
    for (const a of actions) {
      const [prefix, name] = a.split(':') as [string, string]
      if (!(await catalog.ensureService(prefix)) || !catalog.action(prefix, name)) unknown.push(a)
    }
    expect(unknown).toEqual([])
    // Nothing the other principals did leaks in.
    expect(r.stderr).toMatch(/\d+ another principal/)
  })
})
