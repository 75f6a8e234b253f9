import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadGrantedFromFiles } from '../../src/granted/load-files.js'

const dir = mkdtempSync(join(tmpdir(), 'iamtrail-granted-'))
const doc = (action: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
})
const put = (name: string, v: unknown) => {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(v))
  return p
}

describe('granted policies from files', () => {
  it('reads get-account-authorization-details for a role: inline, attached default version, boundary', async () => {
    const p = put('auth.json', {
      RoleDetailList: [
        {
          RoleName: 'deployer',
          Arn: 'arn:aws:iam::123456789012:role/deployer',
          RolePolicyList: [{ PolicyName: 'inline', PolicyDocument: doc('s3:*') }],
          AttachedManagedPolicies: [
            { PolicyName: 'Deploy', PolicyArn: 'arn:aws:iam::123456789012:policy/Deploy' },
          ],
          PermissionsBoundary: {
            PermissionsBoundaryType: 'Policy',
            PermissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/Boundary',
          },
        },
      ],
      UserDetailList: [],
      GroupDetailList: [],
      Policies: [
        {
          Arn: 'arn:aws:iam::123456789012:policy/Deploy',
          DefaultVersionId: 'v2',
          PolicyVersionList: [
            { VersionId: 'v1', IsDefaultVersion: false, Document: doc('iam:*') },
            { VersionId: 'v2', IsDefaultVersion: true, Document: doc('lambda:*') },
          ],
        },
        {
          Arn: 'arn:aws:iam::123456789012:policy/Boundary',
          DefaultVersionId: 'v1',
          PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc('*') }],
        },
      ],
    })
    const g = await loadGrantedFromFiles(p, 'arn:aws:iam::123456789012:role/deployer')
    expect(g.identity.map((x) => x.document.Statement[0]!.Action)).toEqual(['s3:*', 'lambda:*'])
    expect(g.boundary?.[0]?.name).toBe('arn:aws:iam::123456789012:policy/Boundary')
    await expect(loadGrantedFromFiles(p)).rejects.toThrow(/--principal/)
    await expect(loadGrantedFromFiles(p, 'arn:aws:iam::123456789012:role/other')).rejects.toThrow(
      /no role or user/,
    )
  })
  it('reads a directory of policy documents and get-policy-version output', async () => {
    const sub = mkdtempSync(join(dir, 'd-'))
    writeFileSync(join(sub, 'a.json'), JSON.stringify(doc('s3:*')))
    writeFileSync(
      join(sub, 'b.json'),
      JSON.stringify({
        PolicyVersion: { Document: encodeURIComponent(JSON.stringify(doc('ec2:*'))), VersionId: 'v1' },
      }),
    )
    const g = await loadGrantedFromFiles(sub)
    expect(g.identity.map((x) => x.name)).toEqual(['a.json', 'b.json'])
    expect(g.identity[1]!.document.Statement[0]!.Action).toBe('ec2:*')
  })
  it('says what is wrong with a file that is not a policy', async () => {
    await expect(loadGrantedFromFiles(put('bad.json', { Statement: [{ Action: 's3:*' }] }))).rejects.toThrow(
      /Statement\[0\] has no Effect/,
    )
    await expect(loadGrantedFromFiles(put('x.json', { hello: 1 }))).rejects.toThrow(
      /not an IAM policy document/,
    )
  })
  it('resolves AWS managed policies offline: by ARN, and when authorization details leave them out', async () => {
    const admin = await loadGrantedFromFiles('arn:aws:iam::aws:policy/AdministratorAccess')
    expect(admin.identity[0]!.document.Statement).toEqual([{ Effect: 'Allow', Action: '*', Resource: '*' }])
    const p = put('auth-local-only.json', {
      RoleDetailList: [
        {
          RoleName: 'fn',
          Arn: 'arn:aws:iam::123456789012:role/fn',
          RolePolicyList: [],
          AttachedManagedPolicies: [
            {
              PolicyName: 'AWSLambdaBasicExecutionRole',
              PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
            },
          ],
        },
      ],
      UserDetailList: [],
      GroupDetailList: [],
      Policies: [],
    })
    const g = await loadGrantedFromFiles(p, 'arn:aws:iam::123456789012:role/fn')
    expect(JSON.stringify(g.identity[0]!.document)).toContain('logs:PutLogEvents')
    await expect(loadGrantedFromFiles('arn:aws:iam::aws:policy/NoSuchPolicyEver')).rejects.toThrow(
      /not in the bundled AWS managed policies/,
    )
  })
})
