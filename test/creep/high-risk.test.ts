import { describe, expect, it } from 'vitest'
import { riskyGrants } from '../../src/creep/high-risk.js'
import { principalReport } from '../../src/creep/report.js'
import type { PolicyDiff } from '../../src/diff/diff-policy.js'
import type { NamedPolicy } from '../../src/granted/evaluate.js'
import type { PolicyStatement } from '../../src/policy/document.js'

const policy = (...Statement: PolicyStatement[]): NamedPolicy[] => [
  { name: 'p', document: { Version: '2012-10-17', Statement } },
]

describe('high-risk grants', () => {
  it('flags service wildcards as written, and escalation actions only on every resource', () => {
    const r = riskyGrants(
      policy(
        {
          Effect: 'Allow',
          Action: ['S3:*', 'iam:PassRole'],
          Resource: 'arn:aws:iam::123456789012:role/app-*',
        },
        { Effect: 'Allow', Action: 'iam:Pass*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ),
    )
    expect(r.map((x) => `${x.statement} ${x.grant}`)).toEqual(['p#0 s3:*', 'p#1 iam:PassRole on *'])
  })

  it('an Allow with NotAction grants nearly everything', () => {
    const r = riskyGrants(policy({ Effect: 'Allow', NotAction: ['iam:*'], Resource: '*' }))
    expect(r.map((x) => x.rule)).toContain('notaction-allow')
    expect(r.map((x) => x.rule)).toContain('assumerole-any') // sts:AssumeRole is not excluded
    expect(r.map((x) => x.rule)).not.toContain('passrole-any') // iam:* is
  })

  it('full admin is one finding, not one per rule', () => {
    const r = riskyGrants(policy({ Effect: 'Allow', Action: '*', Resource: '*' }))
    expect(r.filter((x) => x.rule === 'admin')).toHaveLength(1)
  })
})

describe('whether a risky grant was used', () => {
  const diff = (used: string[]): PolicyDiff => ({
    schema: 'iamtrail-diff/1',
    principal: 'arn:aws:iam::123456789012:role/r',
    used: [],
    missing: [],
    conditional: [],
    statements: [{ ref: 'p#0', effect: 'Allow', granted: 3, used, unused: [], unknown: [], broad: [] }],
    summary: {
      usedGrants: 0,
      allowed: 0,
      denied: 0,
      conditional: 0,
      grantedActions: 0,
      usedActions: 0,
      unusedActions: 0,
      unknownActions: 0,
      broad: 0,
    },
  })
  const report = (st: PolicyStatement, used: string[]) =>
    principalReport(
      {
        usage: {
          principal: 'arn:aws:iam::123456789012:role/r',
          grants: [],
          unmapped: [],
          excluded: [],
          regions: [],
          recordings: [],
        },
        diff: diff(used),
        risky: riskyGrants(policy(st)),
        proposed: [],
      },
      { window: { start: new Date('2026-11-01'), end: new Date('2026-11-02') }, now: new Date('2026-11-02') },
    ).highRisk.map((h) => `${h.grant}=${h.used}`)

  it('NotAction is used when anything under it was; an action on * only when that action was', () => {
    expect(report({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, ['s3:CreateBucket'])).toEqual([
      'NotAction iam:*=true',
      'sts:AssumeRole on *=false',
    ])
    expect(report({ Effect: 'Allow', Action: ['kms:*'], Resource: '*' }, ['kms:Decrypt'])).toEqual([
      'kms:*=true',
    ])
    expect(report({ Effect: 'Allow', Action: ['kms:*'], Resource: '*' }, [])).toEqual(['kms:*=false'])
  })
})
