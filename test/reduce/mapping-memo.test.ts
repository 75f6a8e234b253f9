import { beforeAll, describe, expect, it } from 'vitest'
import { Catalog } from '../../src/catalog/catalog.js'
import type { CloudTrailEvent } from '../../src/events/cloudtrail-event.js'
import { createMapper } from '../../src/reduce/create-mapper.js'
import type { EventMapper } from '../../src/reduce/mapping.js'
import { ACCOUNT, apiCall } from '../support/events.js'

/**
 * The mapper remembers what a call mapped to (deploys poll the same Describe* call hundreds of
 * times): a repeated call maps as the first did, a call that differs in anything a mapping reads maps
 * afresh, and what depends on the stream so far (an instance profile's role) is never reused.
 */
const catalog = new Catalog()
let mapper: EventMapper
beforeAll(async () => {
  for (const p of ['cloudformation', 'ec2', 'iam', 'ssm']) await catalog.ensureService(p)
  mapper = createMapper(catalog)
})

const pairs = (e: CloudTrailEvent) => {
  const m = mapper.map(e)
  return m.kind === 'mapped' ? m.grants.map((g) => `${g.action} ${g.resource}`) : [m.kind]
}
const describeStacks = (stackName: string, over: Partial<CloudTrailEvent> = {}) =>
  apiCall({
    eventSource: 'cloudformation.amazonaws.com',
    eventName: 'DescribeStacks',
    awsRegion: 'eu-west-1',
    requestParameters: { stackName },
    ...over,
  })
const runInstances = () =>
  apiCall({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: 'eu-west-1',
    requestParameters: {
      instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] },
      iamInstanceProfile: { name: 'web-profile' },
    },
  })

describe('the mapping memo', () => {
  it('maps a repeated call as the first, and a call with other parameters or another account afresh', () => {
    const first = pairs(describeStacks('orders'))
    expect(first).toContain(
      `cloudformation:DescribeStacks arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/orders/*`,
    )
    expect(pairs(describeStacks('orders', { eventTime: '2026-11-20T11:00:00Z' }))).toEqual(first)
    expect(pairs(describeStacks('payments'))).toContain(
      `cloudformation:DescribeStacks arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/payments/*`,
    )
    expect(pairs(describeStacks('orders', { recipientAccountId: '210987654321' }))).toContain(
      'cloudformation:DescribeStacks arn:aws:cloudformation:eu-west-1:210987654321:stack/orders/*',
    )
    expect(pairs(describeStacks('orders', { awsRegion: 'us-east-1' }))).toContain(
      `cloudformation:DescribeStacks arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/orders/*`,
    )
  })

  it('never reuses an instance profile PassRole the stream resolves later', () => {
    expect(pairs(runInstances())).toContain('iam:PassRole *')
    mapper.map(
      apiCall({
        eventSource: 'iam.amazonaws.com',
        eventName: 'AddRoleToInstanceProfile',
        requestParameters: { instanceProfileName: 'web-profile', roleName: 'web-role' },
      }),
    )
    expect(pairs(runInstances())).toContain(`iam:PassRole arn:aws:iam::${ACCOUNT}:role/web-role`)
    // The profile gets another role: the same RunInstances now passes that one.
    for (const [eventName, roleName] of [
      ['RemoveRoleFromInstanceProfile', 'web-role'],
      ['AddRoleToInstanceProfile', 'web-role-2'],
    ] as const)
      mapper.map(
        apiCall({
          eventSource: 'iam.amazonaws.com',
          eventName,
          requestParameters: { instanceProfileName: 'web-profile', roleName },
        }),
      )
    expect(pairs(runInstances())).toContain(`iam:PassRole arn:aws:iam::${ACCOUNT}:role/web-role-2`)
  })
})
