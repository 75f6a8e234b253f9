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
  it('shows the operation model: each conditional action with its trigger and source', async () => {
    const r = await runCli(['explain', 'lambda.amazonaws.com', 'CreateFunction20150331'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('operation model: has this operation')
    expect(r.stdout).toMatch(/other lambda:GetLayerVersion when Layers is present/)
    expect(r.stdout).toMatch(/tag lambda:TagResource when Tags is present/)
    expect(r.stdout).toMatch(
      /pass-role iam:PassRole on the role the member names when Role is present.*lambda\.amazonaws\.com/,
    )
  })
  it('gives the explanation as JSON for scripts', async () => {
    const r = await runCli(['explain', 'ecs.amazonaws.com', 'RegisterTaskDefinition', '--format', 'json'])
    expect(r.code).toBe(0)
    const x = JSON.parse(r.stdout) as {
      known: boolean
      actions: { action: string }[]
      conditional: {
        action: string
        purpose: string
        when?: string[]
        condition?: Record<string, string[]>
      }[]
    }
    expect(x.known).toBe(true)
    expect(x.actions.map((a) => a.action)).toEqual(['ecs:RegisterTaskDefinition'])
    const pass = x.conditional.find((c) => c.purpose === 'pass-role')
    expect(pass?.when).toEqual(expect.arrayContaining(['executionRoleArn', 'taskRoleArn']))
    expect(pass?.condition?.['iam:PassedToService']).toEqual(['ecs-tasks.amazonaws.com'])
  })
  it('exits 1 for a call nothing covers, and says so', async () => {
    const r = await runCli(['explain', 'nosuchservice.amazonaws.com', 'DoThing'])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('unknown: no rule, model entry or reference action covers this call')
    expect(r.stderr).toContain('its events would be unmapped')
  })
  it('asks for arguments when given none', async () => {
    const r = await runCli(['explain'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--event FILE')
  })
})
