import { describe, expect, it } from 'vitest'
import { runCli } from '../support/run-cli.js'

describe('iamtrail explain', () => {
  it('names the action, the resource format, the inferred PassRole and the rules', async () => {
    const r = await runCli(['explain', 's3.amazonaws.com', 'PutBucketReplication'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('action s3:PutReplicationConfiguration')
    expect(r.stdout).toContain('rename:s3:PutBucketReplication')
    expect(r.stdout).toContain('arn:${Partition}:s3:::${BucketName}')
    expect(r.stdout).toContain('iam:PassedToService = s3.amazonaws.com')
  })
  it('says when an event needs no permission', async () => {
    const r = await runCli(['explain', 'sts.amazonaws.com', 'GetCallerIdentity'])
    expect(r.stdout).toContain('excluded (exclude:sts-get-caller-identity)')
  })
  it('explains each event of a recording with the rule behind every grant', async () => {
    const r = await runCli(['explain', '--event', 'examples/cfn-lambda-deploy.rec'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /iam:PassRole on arn:aws:iam::123456789012:role\/orders-api-prod-OrdersFunctionRole-1JX9Q2ZK4M7TB when .*lambda\.amazonaws\.com.*inferred by infer:pass-role:lambda:CreateFunction/,
    )
    expect(r.stdout).toContain(
      'lambda:CreateFunction on arn:aws:lambda:eu-west-1:123456789012:function:orders-api-prod-OrdersFunction-Vb3nK8pQ2wXy  [rule sar:same-name]',
    )
  })
  it('asks for arguments when given none', async () => {
    const r = await runCli(['explain'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--event FILE')
  })
})
