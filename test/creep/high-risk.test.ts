import { describe, expect, it } from 'vitest'
import { riskyGrants } from '../../src/creep/high-risk.js'
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
