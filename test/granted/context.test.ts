import { describe, expect, it } from 'vitest'
import { requestsFor } from '../../src/granted/context.js'
import { evaluate } from '../../src/granted/evaluate.js'
import type { UsedGrant } from '../../src/reduce/usage.js'

const grant = (action: string, condition?: UsedGrant['condition']): UsedGrant => ({
  action,
  resource: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0a7b3c9d1e5f24680',
  ...(condition ? { condition } : {}),
  rules: [],
  inferred: false,
  unresolved: false,
  evidence: {
    count: 1,
    firstSeen: '2026-11-20T16:00:00Z',
    lastSeen: '2026-11-20T16:00:00Z',
    exampleEventId: 'e',
    calls: [],
    via: ['direct'],
    recordings: [],
    regions: ['eu-west-1'],
    errorCodes: [],
    denied: 0,
    errored: 0,
  },
})
const granted = {
  identity: [
    {
      name: 'p',
      document: {
        Version: '2012-10-17' as const,
        Statement: [
          {
            Effect: 'Allow' as const,
            Action: ['ec2:*', 'iam:PassRole'],
            Resource: '*',
            Condition: { StringEquals: { 'iam:PassedToService': 'opsworks.amazonaws.com' } },
          },
        ],
      },
    },
  ],
}

describe('request context from the evidence', () => {
  it('iam:PassedToService is absent on anything but iam:PassRole, so a condition on it denies, not "conditional"', () => {
    const [req] = requestsFor(grant('ec2:TerminateInstances'), 'arn:aws:iam::123456789012:user/ops')
    expect(evaluate(req!, granted).result).toBe('denied')
  })
  it('on iam:PassRole the key is the service the role was passed to', () => {
    const pass = (svc: string) =>
      requestsFor(
        grant('iam:PassRole', { StringEquals: { 'iam:PassedToService': svc } }),
        'arn:aws:iam::123456789012:user/ops',
      )[0]!
    expect(evaluate(pass('opsworks.amazonaws.com'), granted).result).toBe('allowed')
    expect(evaluate(pass('ec2.amazonaws.com'), granted).result).toBe('denied')
  })
})
