import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluate } from '../../src/granted/evaluate.js'
import { contextOf } from '../../src/granted/request.js'
import { asArray, type PolicyDocument } from '../../src/policy/document.js'
import { ACCOUNT, apiCall } from '../support/events.js'
import { runCli } from '../support/run-cli.js'

/**
 * Issue 16.2: a `*` or `?` in a logged name is the name, not a wildcard. Anyone who can choose the
 * names an application's calls use (a failed DeleteRole of `prod-*`, a CreateBucket of `*`) must not
 * be able to widen its policy. The names are escaped with IAM's `${*}`/`${?}`/`${$}`, and the
 * evaluator, which reads those escapes as the characters themselves, shows what the grant admits.
 */
const denied = { errorCode: 'AccessDenied', errorMessage: 'not authorized' }

function inputs(): string {
  const events = [
    apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'DeleteRole',
      requestParameters: { roleName: 'prod-*' },
      ...denied,
    }),
    apiCall({
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      requestParameters: { bucketName: '*' },
    }),
    apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetRole',
      requestParameters: { roleName: 'app-?x' },
    }),
    apiCall({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'GetFunction20150331v2',
      requestParameters: { functionName: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:fn-*` },
      ...denied,
    }),
    apiCall({
      eventSource: 'iam.amazonaws.com',
      eventName: 'GetUser',
      requestParameters: { userName: 'x${aws:username}' },
    }),
  ]
  const dir = mkdtempSync(join(tmpdir(), 'iamtrail-wild-'))
  const file = join(dir, 'events.json')
  writeFileSync(file, JSON.stringify({ Records: events }))
  return file
}

const allows = (doc: PolicyDocument, action: string, resource: string) =>
  evaluate({ action, resource, context: contextOf({}) }, { identity: [{ name: 'p', document: doc }] })
    .result === 'allowed'

describe.each([['exact'], ['generalize']])('names with IAM wildcard characters, --resources %s', (mode) => {
  it('are granted as the literal name only, and --verify still passes', async () => {
    const r = await runCli(['policy', inputs(), '--resources', mode, '--verify'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as PolicyDocument
    const resources = doc.Statement.flatMap((s) => asArray(s.Resource))
    expect(resources).toContain(`arn:aws:iam::${ACCOUNT}:role/prod-\${*}`)
    expect(resources).toContain('arn:aws:s3:::${*}')
    expect(resources).toContain(`arn:aws:iam::${ACCOUNT}:role/app-\${?}x`)
    expect(resources).toContain(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:fn-\${*}`)
    expect(resources).toContain(`arn:aws:iam::${ACCOUNT}:user/x\${$}{aws:username}`)
    // What the policy admits: the names themselves, and nothing they would match as patterns.
    expect(allows(doc, 'iam:DeleteRole', `arn:aws:iam::${ACCOUNT}:role/prod-*`)).toBe(true)
    expect(allows(doc, 'iam:DeleteRole', `arn:aws:iam::${ACCOUNT}:role/prod-admin`)).toBe(false)
    expect(allows(doc, 's3:CreateBucket', 'arn:aws:s3:::*')).toBe(true)
    expect(allows(doc, 's3:CreateBucket', 'arn:aws:s3:::any-bucket')).toBe(false)
    expect(allows(doc, 'iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/app-?x`)).toBe(true)
    expect(allows(doc, 'iam:GetRole', `arn:aws:iam::${ACCOUNT}:role/app-ax`)).toBe(false)
    expect(allows(doc, 'lambda:GetFunction', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:fn-prod`)).toBe(
      false,
    )
    expect(allows(doc, 'iam:GetUser', `arn:aws:iam::${ACCOUNT}:user/xci`)).toBe(false)
  })
})

describe('the escapes in every format', () => {
  it('Terraform keeps ${*} literal ($${*}); CloudFormation never reads it as a Fn::Sub variable', async () => {
    const tf = await runCli(['policy', inputs(), '--format', 'terraform', '-q'])
    expect(tf.stdout).toContain('role/prod-$${*}')
    expect(tf.stdout).not.toMatch(/[^$]\$\{\*\}/)
    const cfn = await runCli(['policy', inputs(), '--format', 'cloudformation', '-q'])
    // A plain string is literal to CloudFormation; inside Fn::Sub the escape must be ${!*}.
    expect(cfn.stdout).toMatch(/role\/prod-\$\{!?\*\}/)
    for (const line of cfn.stdout.split('\n').filter((l) => l.includes('Fn::Sub')))
      expect(line).not.toContain('${*}')
  })
})
