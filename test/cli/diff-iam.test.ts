import { afterEach, describe, expect, it } from 'vitest'
import { type FakeIam, startFakeIam } from '../support/fake-iam-server.js'
import { runCli } from '../support/run-cli.js'

/** `diff --granted <role ARN>` reads the role's policies from IAM over real HTTP (AWS_ENDPOINT_URL_IAM). */
const ROLE = 'arn:aws:iam::123456789012:role/deployer'
const allow = (Action: string | string[], Resource = '*') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action, Resource }],
})
let iam: FakeIam | undefined
afterEach(async () => iam?.close())

const env = () => ({
  AWS_ENDPOINT_URL_IAM: iam!.url,
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake',
  AWS_SESSION_TOKEN: '',
  AWS_PROFILE: '',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
})

describe('diff --granted <role ARN>', () => {
  it('reads inline, attached (default version) and boundary policies, every page, and diffs them', async () => {
    iam = await startFakeIam([
      {
        name: 'deployer',
        inline: {
          cfn: allow('cloudformation:*'),
          s3: allow(['s3:CreateBucket', 's3:PutBucketTagging', 's3:DeleteBucket']),
        },
        attached: {
          'arn:aws:iam::123456789012:policy/lambda-deploy': allow(['lambda:*', 'iam:*']),
          'arn:aws:iam::123456789012:policy/boundary': allow('*'),
        },
        boundary: 'arn:aws:iam::123456789012:policy/boundary',
      },
    ])
    const r = await runCli(
      ['diff', '--granted', ROLE, '--format', 'json', '-q', 'examples/cfn-lambda-deploy.rec'],
      { env: env() },
    )
    expect(r.code, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout) as { summary: { denied: number; unusedActions: number } }
    expect(d.summary.denied).toBe(0)
    expect(d.summary.unusedActions).toBeGreaterThan(100) // lambda:*, iam:*, cloudformation:*
    // Both inline policies and both managed documents were fetched, page by page.
    expect(iam.actions.filter((a) => a === 'ListRolePolicies')).toHaveLength(2)
    expect(iam.actions.filter((a) => a === 'GetRolePolicy')).toHaveLength(2)
    expect(iam.actions.filter((a) => a === 'GetPolicyVersion')).toHaveLength(2)
  })

  it('a policy that lacks what the deploy used is reported missing, and --fail-on missing trips', async () => {
    iam = await startFakeIam([{ name: 'deployer', inline: { cfn: allow('cloudformation:*') }, attached: {} }])
    const r = await runCli(
      ['diff', '--granted', ROLE, '--fail-on', 'missing', 'examples/cfn-lambda-deploy.rec'],
      {
        env: env(),
      },
    )
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/missing/i)
    expect(r.stdout).toContain('lambda:CreateFunction')
  })

  it('AccessDenied names the IAM permission iamtrail needs', async () => {
    iam = await startFakeIam([{ name: 'deployer', inline: {}, attached: {} }], { deny: ['ListRolePolicies'] })
    const r = await runCli(['diff', '--granted', ROLE, 'examples/cfn-lambda-deploy.rec'], { env: env() })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('iamtrail needs iam:ListRolePolicies')
  })
})
