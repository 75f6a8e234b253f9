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
    const parsed = JSON.parse(r.stdout) as PolicyDocument | PolicyDocument[]
    // Over 6,144 characters the policy is split into several managed policies.
    const policy = { Statement: (Array.isArray(parsed) ? parsed : [parsed]).flatMap((d) => d.Statement) }
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

  it('has PassRole with PassedToService, tag-on-create, and real ARNs for what it touched', async () => {
    const r = await runCli(['policy', logs!, '--principal', BERT_JAN, '--resources', 'exact'])
    const parsed = JSON.parse(r.stdout) as PolicyDocument | PolicyDocument[]
    // Over 6,144 characters the policy is split into several managed policies.
    const policy = { Statement: (Array.isArray(parsed) ? parsed : [parsed]).flatMap((d) => d.Statement) }
    const resourcesOf = (action: string, service?: string) =>
      policy.Statement.filter(
        (s) =>
          (s.Action as string[]).includes(action) &&
          (service === undefined || JSON.stringify(s.Condition ?? {}).includes(service)),
      ).flatMap((s) => s.Resource as string[])
    const lambdaRoles = resourcesOf('iam:PassRole', 'lambda.amazonaws.com')
    expect(lambdaRoles.length).toBeGreaterThan(0)
    expect(lambdaRoles.every((a) => a.startsWith('arn:aws:iam::123837392027:role/'))).toBe(true)
    const ec2Roles = resourcesOf('iam:PassRole', 'ec2.amazonaws.com')
    expect(ec2Roles).toContain('arn:aws:iam::123837392027:role/stratus-red-team-ec2-steal-credentials-role')
    expect(resourcesOf('ec2:CreateTags', 'RunInstances')).toEqual([
      'arn:aws:ec2:us-east-1:123837392027:instance/*',
    ])
    expect(resourcesOf('iam:TagRole').length).toBeGreaterThan(0)
    for (const [action, prefix] of [
      ['iam:CreateRole', 'arn:aws:iam::123837392027:role/'],
      ['s3:CreateBucket', 'arn:aws:s3:::'],
      ['lambda:CreateFunction', 'arn:aws:lambda:us-east-1:123837392027:function:'],
      ['ssm:PutParameter', 'arn:aws:ssm:us-east-1:123837392027:parameter/'],
    ] as const) {
      const arns = resourcesOf(action)
      expect(arns.length, action).toBeGreaterThan(0)
      expect(
        arns.every((a) => a.startsWith(prefix)),
        `${action}: ${arns.join(', ')}`,
      ).toBe(true)
    }
  })
})
