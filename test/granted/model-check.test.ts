import { describe, expect, it } from 'vitest'
import { checkAgainstModel } from '../../src/granted/model-check.js'
import type { PolicyDocument } from '../../src/policy/document.js'
import type { UsedGrant } from '../../src/reduce/usage.js'

const PRINCIPAL = 'arn:aws:iam::123456789012:role/deployer'
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders'
function grant(action: string, resource: string, call: string): UsedGrant {
  return {
    action,
    resource,
    rules: ['sar:same-name'],
    inferred: false,
    unresolved: false,
    evidence: {
      count: 1,
      firstSeen: '2026-11-20T10:00:00Z',
      lastSeen: '2026-11-20T10:00:00Z',
      exampleEventId: 'e1',
      calls: [call],
      via: ['direct'],
      recordings: [],
      regions: ['eu-west-1'],
      errorCodes: [],
      denied: 0,
      errored: 0,
    },
  }
}
const allow = (actions: string[], resources: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }],
})

describe('the operation-model check of --verify', () => {
  it('reports an action the model says a call always authorizes that the policy denies', () => {
    // GetFunction authorizes lambda:ListTags too (SAR API operations table); a mapping that lost it
    // would replay clean, since the replay only sees the grants iamtrail derived.
    const grants = [grant('lambda:GetFunction', FN, 'lambda.amazonaws.com:GetFunction20150331v2')]
    const gaps = checkAgainstModel(grants, PRINCIPAL, [allow(['lambda:GetFunction'], [FN])])
    expect(gaps).toMatchObject([
      {
        call: 'lambda.amazonaws.com:GetFunction20150331v2',
        action: 'lambda:ListTags',
        resource: FN,
        source: 'sar',
      },
    ])
    expect(gaps[0]!.decision.result).toBe('denied')
  })
  it('is clean when the policy allows every action of the call on its resource', () => {
    const grants = [grant('lambda:GetFunction', FN, 'lambda.amazonaws.com:GetFunction')]
    expect(
      checkAgainstModel(grants, PRINCIPAL, [allow(['lambda:GetFunction', 'lambda:ListTags'], [FN])]),
    ).toEqual([])
  })
  it('checks each action on the resources its own grants name (a copy reads its source)', () => {
    const src = 'arn:aws:s3:::src/a.txt'
    const dst = 'arn:aws:s3:::dst/a.txt'
    const grants = [
      grant('s3:PutObject', dst, 's3.amazonaws.com:CopyObject'),
      grant('s3:GetObject', src, 's3.amazonaws.com:CopyObject'),
    ]
    const ok: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: dst },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: src },
      ],
    }
    expect(checkAgainstModel(grants, PRINCIPAL, [ok])).toEqual([])
    const lost = checkAgainstModel([grants[0]!], PRINCIPAL, [allow(['s3:PutObject'], [dst])])
    expect(lost.map((g) => g.action)).toEqual(['s3:GetObject'])
  })
  it('leaves conditional actions to the replay: tags absent from the request need no TagResource', () => {
    const grants = [grant('lambda:CreateFunction', FN, 'lambda.amazonaws.com:CreateFunction20150331')]
    expect(checkAgainstModel(grants, PRINCIPAL, [allow(['lambda:CreateFunction'], [FN])])).toEqual([])
  })
})
