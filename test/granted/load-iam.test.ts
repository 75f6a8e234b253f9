import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { loadGrantedFromIam } from '../../src/granted/load-iam.js'

const iam = mockClient(IAMClient)
// IAM returns policy documents URL-encoded.
const enc = (doc: object) => encodeURIComponent(JSON.stringify(doc))
const doc = (action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
})
const client = new IAMClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' },
})

beforeEach(() => {
  iam.reset()
  iam.on(GetPolicyCommand).callsFake((i) => ({ Policy: { Arn: i.PolicyArn, DefaultVersionId: 'v3' } }))
  iam.on(GetPolicyVersionCommand).callsFake((i) => ({
    PolicyVersion: {
      VersionId: i.VersionId,
      Document: enc(doc(`managed:${i.PolicyArn.split('/').pop()}`)),
    },
  }))
})

describe('granted policies from IAM, at the SDK boundary', () => {
  it('a role: inline policies across pages, attached managed default versions, the boundary', async () => {
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'deployer',
        Arn: 'arn:aws:iam::123456789012:role/deployer',
        Path: '/',
        RoleId: 'AROA',
        CreateDate: new Date(),
        PermissionsBoundary: {
          PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/boundary',
          PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
        },
      },
    })
    iam
      .on(ListRolePoliciesCommand, { RoleName: 'deployer', Marker: undefined })
      .resolves({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm1' })
    iam
      .on(ListRolePoliciesCommand, { RoleName: 'deployer', Marker: 'm1' })
      .resolves({ PolicyNames: ['b'], IsTruncated: false })
    iam.on(GetRolePolicyCommand).callsFake((i) => ({
      RoleName: 'deployer',
      PolicyName: i.PolicyName,
      PolicyDocument: enc(doc(`inline:${i.PolicyName}`)),
    }))
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', PolicyName: 'ReadOnlyAccess' },
      ],
      IsTruncated: false,
    })
    const g = await loadGrantedFromIam(client, 'arn:aws:iam::123456789012:role/deployer')
    expect(g.identity.map((p) => p.name)).toEqual([
      'role/deployer/a',
      'role/deployer/b',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ])
    expect(g.identity.map((p) => p.document.Statement[0]!.Action)).toEqual([
      'inline:a',
      'inline:b',
      'managed:ReadOnlyAccess',
    ])
    expect(g.boundary?.[0]?.name).toBe('arn:aws:iam::123456789012:policy/boundary')
    expect(iam.commandCalls(GetPolicyVersionCommand).every((c) => c.args[0].input.VersionId === 'v3')).toBe(
      true,
    )
  })

  it('a user: its own and its groups’ policies', async () => {
    iam.on(GetUserCommand).resolves({
      User: {
        UserName: 'ci',
        Arn: 'arn:aws:iam::123456789012:user/ci',
        Path: '/',
        UserId: 'AIDA',
        CreateDate: new Date(),
      },
    })
    iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: ['own'], IsTruncated: false })
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false })
    iam.on(ListGroupsForUserCommand).resolves({
      Groups: [
        {
          GroupName: 'Jets',
          GroupId: 'AGPA',
          Arn: 'arn:aws:iam::123456789012:group/Jets',
          Path: '/',
          CreateDate: new Date(),
        },
      ],
      IsTruncated: false,
    })
    iam.on(ListGroupPoliciesCommand).resolves({ PolicyNames: ['JetsPolicy'], IsTruncated: false })
    iam
      .on(GetGroupPolicyCommand)
      .resolves({ GroupName: 'Jets', PolicyName: 'JetsPolicy', PolicyDocument: enc(doc('cloudformation:*')) })
    iam.on(ListAttachedGroupPoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSConfigRole', PolicyName: 'AWSConfigRole' },
      ],
      IsTruncated: false,
    })
    iam
      .on(GetUserPolicyCommand)
      .resolves({ UserName: 'ci', PolicyName: 'own', PolicyDocument: enc(doc('s3:*')) })
    const g = await loadGrantedFromIam(client, 'arn:aws:iam::123456789012:user/ci')
    expect(g.identity.map((p) => p.name)).toEqual([
      'user/ci/own',
      'group/Jets/JetsPolicy',
      'arn:aws:iam::aws:policy/service-role/AWSConfigRole',
    ])
  })

  it('AccessDenied names the permission iamtrail lacked', async () => {
    const err = Object.assign(
      new Error(
        'User: arn:aws:sts::123456789012:assumed-role/auditor/x is not authorized to perform: iam:GetRole on resource: role deployer',
      ),
      { name: 'AccessDenied' },
    )
    iam.on(GetRoleCommand).rejects(err)
    await expect(loadGrantedFromIam(client, 'arn:aws:iam::123456789012:role/deployer')).rejects.toThrow(
      /iamtrail needs iam:GetRole/,
    )
  })

  it('refuses what is not a role or user ARN', async () => {
    await expect(loadGrantedFromIam(client, 'arn:aws:iam::123456789012:group/Jets')).rejects.toThrow(
      /role and user ARNs only/,
    )
  })
})
