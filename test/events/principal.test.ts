import { describe, expect, it } from 'vitest'
import { matchesPrincipal, parsePrincipal, principalOf } from '../../src/events/principal.js'
import { ACCOUNT, apiCall, roleSessionIdentity, userIdentity } from '../support/events.js'

const user = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: userIdentity('ci', 'AKIAEXAMPLEUSER00001'),
})
const otherUser = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: userIdentity('cia'),
})
const s1 = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: roleSessionIdentity('deployer', 'gh-run-1', 'ASIAEXAMPLESESSION01'),
})
const s2 = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: roleSessionIdentity('deployer', 'gh-run-2', 'ASIAEXAMPLESESSION02'),
})
const other = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: roleSessionIdentity('deployer-admin', 'gh-run-1'),
})
const pathed = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: roleSessionIdentity('deployer', 'x', 'ASIAEXAMPLESESSION03', '/ci/'),
})
const root = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: {
    type: 'Root',
    principalId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAROOTSESSION00001',
  },
})
const federated = apiCall({
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  userIdentity: {
    type: 'FederatedUser',
    arn: `arn:aws:sts::${ACCOUNT}:federated-user/alice`,
    accountId: ACCOUNT,
  },
})
const all = { user, otherUser, s1, s2, other, pathed, root, federated }

function selected(arn: string): string[] {
  const sel = parsePrincipal(arn)
  return Object.entries(all)
    .filter(([, e]) => matchesPrincipal(e, sel))
    .map(([k]) => k)
}

describe('principal selection', () => {
  it('a user ARN selects that user only (no prefix match)', () => {
    expect(selected(`arn:aws:iam::${ACCOUNT}:user/ci`)).toEqual(['user'])
  })
  it('a role ARN selects every session of the role, by sessionIssuer, with its path', () => {
    expect(selected(`arn:aws:iam::${ACCOUNT}:role/deployer`)).toEqual(['s1', 's2'])
    expect(selected(`arn:aws:iam::${ACCOUNT}:role/ci/deployer`)).toEqual(['pathed'])
  })
  it('a session ARN selects one session', () => {
    expect(selected(`arn:aws:sts::${ACCOUNT}:assumed-role/deployer/gh-run-2`)).toEqual(['s2'])
  })
  it('root and federated users', () => {
    expect(selected(`arn:aws:iam::${ACCOUNT}:root`)).toEqual(['root'])
    expect(selected(`arn:aws:sts::${ACCOUNT}:federated-user/alice`)).toEqual(['federated'])
  })
  it('an access key selects the calls signed with it', () => {
    const sel = { kind: 'access-key', id: 'ASIAEXAMPLESESSION02' } as const
    expect(
      Object.entries(all)
        .filter(([, e]) => matchesPrincipal(e, sel))
        .map(([k]) => k),
    ).toEqual(['s2'])
  })
  it('a role session without sessionContext still matches its role by account and name', () => {
    const id = roleSessionIdentity('deployer', 'old')
    delete id.sessionContext
    const e = apiCall({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', userIdentity: id })
    expect(matchesPrincipal(e, parsePrincipal(`arn:aws:iam::${ACCOUNT}:role/deployer`))).toBe(true)
    expect(matchesPrincipal(e, parsePrincipal(`arn:aws:iam::${ACCOUNT}:role/deploy`))).toBe(false)
  })
  it('rejects what is not a principal ARN, saying what is expected', () => {
    expect(() => parsePrincipal('deployer')).toThrow(/not an IAM user, role/)
    expect(() => parsePrincipal(`arn:aws:s3:::bucket`)).toThrow(/arn:aws:iam::123456789012:role\/deployer/)
  })
  it('names the principal of an event as a user would select it', () => {
    expect(principalOf(s1)).toBe(`arn:aws:iam::${ACCOUNT}:role/deployer`)
    expect(principalOf(user)).toBe(`arn:aws:iam::${ACCOUNT}:user/ci`)
    expect(
      principalOf(
        apiCall({
          eventSource: 'kms.amazonaws.com',
          eventName: 'Decrypt',
          userIdentity: { type: 'AWSService', invokedBy: 'kms.amazonaws.com' },
        }),
      ),
    ).toBeUndefined()
  })
})
