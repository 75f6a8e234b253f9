import { describe, expect, it } from 'vitest'
import { evaluate, type GrantedPolicies } from '../../src/granted/evaluate.js'
import { contextOf } from '../../src/granted/request.js'
import type { PolicyStatement } from '../../src/policy/document.js'

const ctx = contextOf({
  'aws:SourceIp': '203.0.113.10',
  'aws:RequestedRegion': 'eu-west-1',
  'aws:username': 'alice',
  'aws:PrincipalTag/team': 'payments',
  'aws:MultiFactorAuthPresent': 'true',
  'aws:CurrentTime': '2026-11-20T10:00:00Z',
  'aws:EpochTime': '1795168800',
  'aws:TagKeys': ['env', 'team'],
  's3:max-keys': '50',
  'aws:SecureTransport': 'true',
  'aws:ResourceTag/empty': undefined,
})
const req = (action: string, resource: string, context = ctx) => ({ action, resource, context })
const policy = (...Statement: PolicyStatement[]): GrantedPolicies => ({
  identity: [{ name: 'p', document: { Version: '2012-10-17', Statement } }],
})
const allow = (over: Partial<PolicyStatement>): PolicyStatement => ({
  Effect: 'Allow',
  Action: '*',
  Resource: '*',
  ...over,
})
const result = (g: GrantedPolicies, action = 's3:GetObject', resource = 'arn:aws:s3:::b/k', context = ctx) =>
  evaluate(req(action, resource, context), g).result

describe('evaluation logic (AWS "policy evaluation logic")', () => {
  it('denies by default, allows with an Allow, and an explicit Deny wins', () => {
    expect(result(policy())).toBe('denied')
    expect(result(policy(allow({ Action: 's3:GetObject' })))).toBe('allowed')
    expect(result(policy(allow({}), { Effect: 'Deny', Action: 's3:*', Resource: '*' }))).toBe('denied')
  })
  it('matches actions case-insensitively with * and ?, resources case-sensitively', () => {
    expect(result(policy(allow({ Action: 'S3:get*' })))).toBe('allowed')
    expect(result(policy(allow({ Action: 's3:GetObjec?' })))).toBe('allowed')
    expect(result(policy(allow({ Action: 's3:Put*' })))).toBe('denied')
    expect(result(policy(allow({ Resource: 'arn:aws:s3:::B/*' })))).toBe('denied')
    expect(result(policy(allow({ Resource: 'arn:aws:s3:::b/*' })))).toBe('allowed')
  })
  it('NotAction and NotResource invert the match', () => {
    expect(result(policy(allow({ Action: undefined, NotAction: 'iam:*' })))).toBe('allowed')
    expect(
      result(
        policy(allow({ Action: undefined, NotAction: 'iam:*' })),
        'iam:CreateUser',
        'arn:aws:iam::1:user/x',
      ),
    ).toBe('denied')
    expect(result(policy(allow({ Resource: undefined, NotResource: 'arn:aws:s3:::secret/*' })))).toBe(
      'allowed',
    )
    expect(result(policy(allow({ Resource: undefined, NotResource: 'arn:aws:s3:::b/*' })))).toBe('denied')
  })
  it('a NotAction Allow with a Deny on what it leaves out', () => {
    const g = policy(allow({ Action: undefined, NotAction: ['iam:*', 'organizations:*'] }), {
      Effect: 'Deny',
      Action: 's3:DeleteBucket',
      Resource: '*',
    })
    expect(result(g, 's3:CreateBucket', 'arn:aws:s3:::x')).toBe('allowed')
    expect(result(g, 's3:DeleteBucket', 'arn:aws:s3:::x')).toBe('denied')
    expect(result(g, 'iam:PassRole', 'arn:aws:iam::1:role/r')).toBe('denied')
  })
  it('matches ARNs segment by segment', () => {
    expect(result(policy(allow({ Resource: 'arn:aws:s3:::*' })), 's3:GetObject', 'arn:aws:s3:::b/k')).toBe(
      'allowed',
    )
    expect(result(policy(allow({ Resource: 'arn:aws:*:*:*:b/k' })), 's3:GetObject', 'arn:aws:s3:::b/k')).toBe(
      'allowed',
    )
    expect(
      result(
        policy(allow({ Resource: 'arn:aws:lambda:*:*:function:*' })),
        's3:GetObject',
        'arn:aws:s3:::b/k',
      ),
    ).toBe('denied')
  })
  it('substitutes policy variables, and an unknown variable is conditional', () => {
    expect(
      result(
        policy(allow({ Resource: 'arn:aws:s3:::home/${aws:username}/*' })),
        's3:GetObject',
        'arn:aws:s3:::home/alice/x',
      ),
    ).toBe('allowed')
    expect(
      result(
        policy(allow({ Resource: 'arn:aws:s3:::home/${aws:username}/*' })),
        's3:GetObject',
        'arn:aws:s3:::home/bob/x',
      ),
    ).toBe('denied')
    expect(
      result(policy(allow({ Condition: { StringEquals: { 's3:prefix': '${aws:PrincipalTag/team}' } } }))),
    ).toBe('conditional')
    const d = evaluate(
      req('s3:GetObject', 'arn:aws:s3:::x/${aws:userid}'),
      policy(allow({ Resource: 'arn:aws:s3:::x/${aws:userid}' })),
    )
    expect(d).toMatchObject({ result: 'conditional', keys: ['aws:userid'] })
  })
  it('a permission boundary intersects; an SCP must allow too', () => {
    const g = policy(allow({}))
    g.boundary = [{ name: 'b', document: { Version: '2012-10-17', Statement: [allow({ Action: 's3:*' })] } }]
    expect(result(g, 's3:GetObject')).toBe('allowed')
    expect(evaluate(req('iam:CreateUser', 'arn:aws:iam::1:user/x'), g)).toMatchObject({
      result: 'denied',
      reason: 'boundary',
    })
    g.scps = [
      {
        name: 'scp',
        document: {
          Version: '2012-10-17',
          Statement: [
            allow({}),
            {
              Effect: 'Deny',
              Action: 's3:*',
              Resource: '*',
              Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } },
            },
          ],
        },
      },
    ]
    expect(result(g, 's3:GetObject')).toBe('allowed')
    expect(
      result(g, 's3:GetObject', 'arn:aws:s3:::b/k', contextOf({ 'aws:RequestedRegion': 'us-east-1' })),
    ).toBe('denied')
  })
})

describe('condition operators', () => {
  const when = (Condition: PolicyStatement['Condition'], context = ctx) =>
    result(policy(allow({ Condition })), 's3:GetObject', 'arn:aws:s3:::b/k', context)
  it.each([
    [{ StringEquals: { 'aws:username': 'alice' } }, 'allowed'],
    [{ StringEquals: { 'aws:username': 'Alice' } }, 'denied'],
    [{ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, 'allowed'],
    [{ StringNotEquals: { 'aws:username': ['bob', 'carol'] } }, 'allowed'],
    [{ StringLike: { 'aws:username': 'al*' } }, 'allowed'],
    [{ StringNotLike: { 'aws:username': 'a?ice' } }, 'denied'],
    [{ NumericLessThan: { 's3:max-keys': '100' } }, 'allowed'],
    [{ NumericGreaterThanEquals: { 's3:max-keys': '51' } }, 'denied'],
    [{ NumericEquals: { 's3:max-keys': '50' } }, 'allowed'],
    [{ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, 'allowed'],
    [{ DateGreaterThan: { 'aws:CurrentTime': '1795176000' } }, 'denied'],
    [{ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, 'allowed'],
    [{ Bool: { 'aws:SecureTransport': 'false' } }, 'denied'],
    [{ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, 'allowed'],
    [{ NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } }, 'denied'],
    [{ IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } }, 'denied'],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, 'conditional'],
    [{ Null: { 'aws:ResourceTag/empty': 'true' } }, 'allowed'],
    [{ Null: { 'aws:username': 'true' } }, 'denied'],
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team', 'owner'] } }, 'allowed'],
    [{ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, 'denied'],
    [{ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, 'allowed'],
    [{ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['owner'] } }, 'denied'],
    [{ StringEqualsIfExists: { 'aws:ResourceTag/empty': 'x' } }, 'allowed'],
    [{ StringEquals: { 'aws:ResourceTag/empty': 'x' } }, 'denied'],
    [{ StringNotEquals: { 'aws:ResourceTag/empty': 'x' } }, 'allowed'],
    [{ 'ForAllValues:StringEquals': { 'aws:ResourceTag/empty': 'x' } }, 'allowed'],
    [
      {
        StringEquals: { 'aws:RequestedRegion': 'eu-west-1', 'aws:username': 'alice' },
        Bool: { 'aws:SecureTransport': 'true' },
      },
      'allowed',
    ],
    [{ StringEquals: { 'ec2:ResourceTag/env': 'prod' } }, 'conditional'],
    [{ BinaryEquals: { 'aws:username': 'YWxpY2U=' } }, 'denied'],
  ])('%o → %s', (cond, expected) => {
    expect(when(cond as PolicyStatement['Condition'])).toBe(expected)
  })
  it('names the key it could not know', () => {
    const d = evaluate(
      req('s3:GetObject', 'arn:aws:s3:::b/k'),
      policy(allow({ Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-1' } } })),
    )
    expect(d).toEqual({ result: 'conditional', keys: ['aws:ResourceOrgID'], by: [{ policy: 'p', index: 0 }] })
  })
  it('a Deny whose condition cannot be decided makes an Allow conditional, not allowed', () => {
    const g = policy(allow({}), {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-1' } },
    })
    expect(result(g)).toBe('conditional')
  })
  it('IPv6 ranges', () => {
    expect(
      when(
        { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } },
        contextOf({ 'aws:SourceIp': '2001:db8:1::5' }),
      ),
    ).toBe('allowed')
    expect(
      when({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, contextOf({ 'aws:SourceIp': '2001:db9::5' })),
    ).toBe('denied')
  })
})
