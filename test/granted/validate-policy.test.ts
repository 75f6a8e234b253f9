import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import type { PolicyDiff } from '../../src/diff/diff-policy.js'
import { IamtrailError } from '../../src/errors.js'
import { loadGrantedFromIam } from '../../src/granted/load-iam.js'
import { runCli } from '../support/run-cli.js'

/** Granted policies are checked as IAM checks them when they are created (issue 16.12). */
const dir = mkdtempSync(join(tmpdir(), 'iamtrail-validate-'))
const events = 'test/diff/fixtures/jets-deploy.ndjson'
const policyFile = (name: string, statements: unknown) => {
  const p = join(dir, `${name}.json`)
  writeFileSync(p, JSON.stringify({ Version: '2012-10-17', Statement: statements }))
  return p
}
const ok = { Sid: 'Fine', Effect: 'Allow', Action: 's3:*', Resource: '*' }

describe('a malformed granted statement is exit 1, named by file and statement', () => {
  it.each([
    [
      'action-and-notaction',
      { Sid: 'Both', Effect: 'Allow', Action: 's3:*', NotAction: 'iam:*', Resource: '*' },
      'Statement[1] (Sid "Both") has both Action and NotAction',
    ],
    [
      'resource-and-notresource',
      { Effect: 'Allow', Action: 's3:*', Resource: '*', NotResource: 'arn:aws:s3:::x' },
      'Statement[1] has both Resource and NotResource',
    ],
    [
      'principal-and-notprincipal',
      { Effect: 'Deny', Action: 's3:*', Resource: '*', Principal: '*', NotPrincipal: { AWS: '1' } },
      'has both Principal and NotPrincipal',
    ],
    ['null-statement', null, 'Statement[1] is null, not a statement object'],
    [
      'numeric-action',
      { Effect: 'Allow', Action: 42, Resource: '*' },
      'has Action 42: each must be a non-empty string',
    ],
    [
      'null-condition',
      { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: null },
      'has Condition null: it must be an object of operators',
    ],
    [
      'condition-value-not-object',
      { Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: 'x' } },
      'has Condition StringEquals "x": it must be an object',
    ],
    [
      'bad-effect',
      { Effect: 'allow', Action: 's3:*', Resource: '*' },
      'has Effect "allow": IAM accepts only "Allow" or "Deny"',
    ],
    [
      'unknown-operator',
      {
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEqualz: { 'aws:RequestedRegion': 'eu-west-1' } },
      },
      'uses condition operator "StringEqualz", which IAM does not have (IAM rejects unknown operators',
    ],
  ])('%s', async (name, bad, message) => {
    const file = policyFile(name, [ok, bad])
    const r = await runCli(['diff', '--granted', file, events, '-q'])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`${file}: `)
    expect(r.stderr).toContain(message)
    expect(r.stderr).not.toContain('internal error')
  })

  it('accepts every operator form IAM has: IfExists, ForAnyValue/ForAllValues, Null, booleans', async () => {
    const file = policyFile('operators', [
      {
        Effect: 'Allow',
        Action: 'events:*',
        Resource: '*',
        Condition: {
          StringEqualsIfExists: { 'aws:RequestedRegion': ['us-west-2'] },
          'ForAnyValue:StringLike': { 'aws:TagKeys': 'app*' },
          Null: { 'aws:ResourceTag/app': 'false' },
          Bool: { 'aws:SecureTransport': true },
        },
      },
    ])
    const r = await runCli(['diff', '--granted', file, events, '-q'])
    expect(r.code, r.stderr).toBe(0)
  })
})

describe('a policy read from IAM', () => {
  it('with bad %-encoding is an input error naming the role and policy, not an internal error', async () => {
    const iam = mockClient(IAMClient)
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'deployer',
        Arn: 'arn:aws:iam::123456789012:role/deployer',
        Path: '/',
        RoleId: 'AROA',
        CreateDate: new Date(),
      },
    })
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['broken'] })
    iam
      .on(GetRolePolicyCommand)
      .resolves({ RoleName: 'deployer', PolicyName: 'broken', PolicyDocument: '%7B%22Version%22%3A%ZZ' })
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] })
    const client = new IAMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
    })
    const err = await loadGrantedFromIam(client, 'arn:aws:iam::123456789012:role/deployer').catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(IamtrailError)
    expect((err as IamtrailError).exitCode).toBe(1)
    expect((err as Error).message).toBe(
      'role/deployer inline policy broken: the policy document is not valid URL encoding (a bad %-escape)',
    )
    iam.restore()
  })
})

describe('diff and explicit Deny', () => {
  it('an action a Deny takes away is neither an unused grant nor an unused Deny', async () => {
    const file = policyFile('deny', [
      { Sid: 'All', Effect: 'Allow', Action: ['events:*', 'iam:*'], Resource: '*' },
      { Sid: 'NoPutRule', Effect: 'Deny', Action: 'events:PutRule', Resource: '*' },
      { Sid: 'NoDeleteUser', Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' },
    ])
    const r = await runCli(['diff', '--granted', file, events, '--format', 'json', '-q'])
    expect(r.code, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout) as PolicyDiff
    const st = (sid: string) => d.statements.find((s) => s.ref.endsWith(`#${sid}`))!
    // events:PutRule was used and the Deny blocked it: the Deny is in use.
    expect(d.missing.map((m) => `${m.action} ${m.reason}`)).toContain('events:PutRule explicit-deny')
    expect(st('NoPutRule').used).toEqual(['events:PutRule'])
    // iam:DeleteUser is denied everywhere: the Allow does not grant it, so it is not unused there.
    expect(st('All').unused).not.toContain('iam:DeleteUser')
    expect(st('All').unused).not.toContain('events:PutRule')
    expect(st('All').unused).toContain('iam:CreateUser')
  })
})
