import { describe, expect, it } from 'vitest'
import { isOwnCall } from '../../src/aws/sdk-config.js'
import { lookupAttributeFor } from '../../src/collect/lookup/lookup.js'
import { parsePrincipal } from '../../src/events/principal.js'

describe('the one lookup attribute', () => {
  it.each([
    ['arn:aws:iam::123456789012:user/ci', { key: 'Username', value: 'ci' }],
    ['arn:aws:iam::123456789012:user/team/ci', { key: 'Username', value: 'ci' }],
    [
      'arn:aws:sts::123456789012:assumed-role/deployer/gh-actions-42',
      { key: 'Username', value: 'gh-actions-42' },
    ],
    ['arn:aws:iam::123456789012:root', { key: 'Username', value: 'root' }],
    ['arn:aws:iam::123456789012:role/deployer', undefined],
    ['arn:aws:sts::123456789012:federated-user/alice', undefined],
  ])('%s → %j', (arn, expected) => {
    expect(lookupAttributeFor(parsePrincipal(arn))).toEqual(expected)
  })

  it('prefers the access key of the recorded session, the most selective', () => {
    const role = parsePrincipal('arn:aws:iam::123456789012:role/deployer')
    expect(lookupAttributeFor(role, 'ASIAEXAMPLE000000001')).toEqual({
      key: 'AccessKeyId',
      value: 'ASIAEXAMPLE000000001',
    })
    expect(lookupAttributeFor({ kind: 'access-key', id: 'AKIAEXAMPLE000000001' })).toEqual({
      key: 'AccessKeyId',
      value: 'AKIAEXAMPLE000000001',
    })
  })
})

describe("iamtrail's own calls", () => {
  it.each([
    [
      'aws-sdk-js/3.1137.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.20.2 api/cloudtrail#3.1137.0 m/F,g iamtrail/0.1.0',
      true,
    ],
    ['[aws-sdk-js/3.1137.0 iamtrail/0.2.0]', true],
    ['[iamtrail/0.1.0 aws-sdk-js/3.1137.0]', true],
    ['aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 command/cloudformation.deploy', false],
    ['aws-sdk-js/3.0 notiamtrail/1.0', false],
    [undefined, false],
  ])('%s → %s', (ua, own) => {
    expect(isOwnCall(ua)).toBe(own)
  })
})
