import { runSimulation } from '@cloud-copilot/iam-simulate'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluate } from '../../src/granted/evaluate.js'
import { contextOf } from '../../src/granted/request.js'
import type { PolicyStatement } from '../../src/policy/document.js'

/**
 * Differential test against @cloud-copilot/iam-simulate (AGPL, a devDependency used only here as an
 * oracle): random identity policies and requests over a small universe, with every condition key
 * known, must get the same allow/deny answer from both engines.
 */
const ACCOUNT = '123456789012'
const actions = [
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  'ec2:DescribeVpcs',
  'iam:PassRole',
  'lambda:CreateFunction',
]
const resources: Record<string, string> = {
  's3:GetObject': 'arn:aws:s3:::assets/app/index.html',
  's3:PutObject': 'arn:aws:s3:::assets/app/index.html',
  's3:ListBucket': 'arn:aws:s3:::assets',
  'ec2:DescribeVpcs': '*',
  'iam:PassRole': `arn:aws:iam::${ACCOUNT}:role/app-exec`,
  'lambda:CreateFunction': `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:app`,
}
const actionPatterns = fc.constantFrom(
  '*',
  's3:*',
  's3:Get*',
  's3:?utObject',
  'S3:LISTBUCKET',
  'iam:PassRole',
  'lambda:*',
  'ec2:Describe*',
  'iam:*',
)
const resourcePatterns = fc.constantFrom(
  '*',
  'arn:aws:s3:::assets',
  'arn:aws:s3:::assets/*',
  'arn:aws:s3:::ASSETS/*',
  `arn:aws:iam::${ACCOUNT}:role/app-*`,
  'arn:aws:lambda:*:*:function:app',
  'arn:aws:s3:::assets/${aws:username}/*',
)
const conditions = fc.constantFrom<PolicyStatement['Condition'] | undefined>(
  undefined,
  { StringEquals: { 'aws:username': 'alice' } },
  { StringNotEquals: { 'aws:username': 'alice' } },
  { StringLike: { 'aws:PrincipalTag/team': 'pay*' } },
  { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
  { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
  { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } },
  { StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'EU-WEST-1' } },
  { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
  { Bool: { 'aws:SecureTransport': 'false' } },
)
const statement = fc.record({
  effect: fc.constantFrom('Allow', 'Deny') as fc.Arbitrary<'Allow' | 'Deny'>,
  notAction: fc.boolean(),
  notResource: fc.boolean(),
  actions: fc.array(actionPatterns, { minLength: 1, maxLength: 3 }),
  resources: fc.array(resourcePatterns, { minLength: 1, maxLength: 2 }),
  condition: conditions,
})
const context = fc.record({
  user: fc.constantFrom('alice', 'bob'),
  team: fc.constantFrom('payments', 'search'),
  ip: fc.constantFrom('203.0.113.10', '198.51.100.7'),
  region: fc.constantFrom('eu-west-1', 'us-east-1', 'ap-south-1'),
})

interface GenStatement {
  effect: 'Allow' | 'Deny'
  notAction: boolean
  notResource: boolean
  actions: string[]
  resources: string[]
  condition: PolicyStatement['Condition'] | undefined
}

function toStatement(s: GenStatement): PolicyStatement {
  const st: PolicyStatement = { Effect: s.effect }
  if (s.notAction) st.NotAction = s.actions
  else st.Action = s.actions
  if (s.notResource) st.NotResource = s.resources
  else st.Resource = s.resources
  if (s.condition) st.Condition = s.condition
  return st
}

describe('differential: our evaluator vs the iam-simulate oracle', () => {
  it('agrees on allow/deny for generated policies and requests', async () => {
    let compared = 0
    let allowed = 0
    const errors: string[] = []
    await fc.assert(
      fc.asyncProperty(
        fc.array(statement, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...actions),
        context,
        async (stmts, action, c) => {
          const document = { Version: '2012-10-17' as const, Statement: stmts.map(toStatement) }
          const vars = {
            'aws:username': c.user,
            'aws:PrincipalTag/team': c.team,
            'aws:SourceIp': c.ip,
            'aws:RequestedRegion': c.region,
            'aws:CurrentTime': '2026-11-20T10:00:00Z',
            'aws:SecureTransport': 'true',
          }
          const ours = evaluate(
            { action, resource: resources[action]!, context: contextOf(vars) },
            { identity: [{ name: 'p', document }] },
          )
          const oracle = await runSimulation(
            {
              request: {
                principal: `arn:aws:iam::${ACCOUNT}:user/${c.user}`,
                action,
                resource: { resource: resources[action]!, accountId: ACCOUNT },
                contextVariables: vars,
              },
              identityPolicies: [{ name: 'p', policy: document }],
              serviceControlPolicies: [],
              resourceControlPolicies: [],
            },
            {},
          )
          if (oracle.resultType === 'error') {
            errors.push(oracle.errors.message)
            return
          }
          compared++
          if (ours.result === 'allowed') allowed++
          expect(ours.result, JSON.stringify({ document, action, c })).toBe(
            oracle.overallResult === 'Allowed' ? 'allowed' : 'denied',
          )
        },
      ),
      { numRuns: 300, seed: 20261122 },
    )
    // The comparison must really happen, on both answers.
    expect(compared, errors.slice(0, 3).join('; ')).toBeGreaterThan(250)
    expect(allowed).toBeGreaterThan(20)
    expect(compared - allowed).toBeGreaterThan(20)
  })
})
