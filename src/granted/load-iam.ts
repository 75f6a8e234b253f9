import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam'
import { awsFailureError, classifyAwsError } from '../aws/aws-errors.js'
import { IamtrailError } from '../errors.js'
import type { GrantedPolicies, NamedPolicy } from './evaluate.js'
import { asPolicyDocument } from './load-files.js'

/**
 * The narrow port to IAM: only `send`, so tests fake the SDK boundary (aws-sdk-client-mock) and
 * nothing else. Every List call is paginated with Marker/IsTruncated, as IAM pages.
 */
export type IamPort = Pick<IAMClient, 'send'>

/**
 * What a role or user is granted, read from IAM: inline policies, attached managed policies (their
 * default versions), the permissions boundary, and for a user the policies of its groups.
 */
export async function loadGrantedFromIam(iam: IamPort, principalArn: string): Promise<GrantedPolicies> {
  const m = /^arn:[^:]+:iam::\d{12}:(role|user)\/(?:.*\/)?([^/]+)$/.exec(principalArn)
  if (!m)
    throw new IamtrailError(`--granted ${principalArn}: IAM policies can be read for role and user ARNs only`)
  const [, kind, name] = m as unknown as [string, 'role' | 'user', string]
  try {
    return kind === 'role' ? await loadRole(iam, name) : await loadUser(iam, name)
  } catch (err) {
    throw explain(err, principalArn)
  }
}

async function loadRole(iam: IamPort, RoleName: string): Promise<GrantedPolicies> {
  const role = (await iam.send(new GetRoleCommand({ RoleName }))).Role
  const identity: NamedPolicy[] = []
  for (const PolicyName of await pages(
    (Marker) => iam.send(new ListRolePoliciesCommand({ RoleName, Marker })),
    (r) => r.PolicyNames ?? [],
  )) {
    const p = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))
    identity.push({
      name: `role/${RoleName}/${PolicyName}`,
      document: asPolicyDocument(p.PolicyDocument, `role/${RoleName} inline policy ${PolicyName}`),
    })
  }
  for (const a of await pages(
    (Marker) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName, Marker })),
    (r) => r.AttachedPolicies ?? [],
  )) {
    identity.push(await managed(iam, a.PolicyArn!))
  }
  const result: GrantedPolicies = { identity }
  const boundary = role?.PermissionsBoundary?.PermissionsBoundaryArn
  if (boundary) result.boundary = [await managed(iam, boundary)]
  return result
}

async function loadUser(iam: IamPort, UserName: string): Promise<GrantedPolicies> {
  const user = (await iam.send(new GetUserCommand({ UserName }))).User
  const identity: NamedPolicy[] = []
  for (const PolicyName of await pages(
    (Marker) => iam.send(new ListUserPoliciesCommand({ UserName, Marker })),
    (r) => r.PolicyNames ?? [],
  )) {
    const p = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))
    identity.push({
      name: `user/${UserName}/${PolicyName}`,
      document: asPolicyDocument(p.PolicyDocument, `user/${UserName} inline policy ${PolicyName}`),
    })
  }
  for (const a of await pages(
    (Marker) => iam.send(new ListAttachedUserPoliciesCommand({ UserName, Marker })),
    (r) => r.AttachedPolicies ?? [],
  )) {
    identity.push(await managed(iam, a.PolicyArn!))
  }
  for (const g of await pages(
    (Marker) => iam.send(new ListGroupsForUserCommand({ UserName, Marker })),
    (r) => r.Groups ?? [],
  )) {
    const GroupName = g.GroupName!
    for (const PolicyName of await pages(
      (Marker) => iam.send(new ListGroupPoliciesCommand({ GroupName, Marker })),
      (r) => r.PolicyNames ?? [],
    )) {
      const p = await iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName }))
      identity.push({
        name: `group/${GroupName}/${PolicyName}`,
        document: asPolicyDocument(p.PolicyDocument, `group/${GroupName} inline policy ${PolicyName}`),
      })
    }
    for (const a of await pages(
      (Marker) => iam.send(new ListAttachedGroupPoliciesCommand({ GroupName, Marker })),
      (r) => r.AttachedPolicies ?? [],
    )) {
      identity.push(await managed(iam, a.PolicyArn!))
    }
  }
  const result: GrantedPolicies = { identity }
  const boundary = user?.PermissionsBoundary?.PermissionsBoundaryArn
  if (boundary) result.boundary = [await managed(iam, boundary)]
  return result
}

async function managed(iam: IamPort, PolicyArn: string): Promise<NamedPolicy> {
  const policy = (await iam.send(new GetPolicyCommand({ PolicyArn }))).Policy
  const VersionId = policy?.DefaultVersionId
  if (!VersionId) throw new IamtrailError(`${PolicyArn} has no default version`)
  const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId }))
  return { name: PolicyArn, document: asPolicyDocument(v.PolicyVersion?.Document, PolicyArn) }
}

async function pages<R extends { IsTruncated?: boolean; Marker?: string }, T>(
  call: (marker: string | undefined) => Promise<R>,
  items: (r: R) => T[],
): Promise<T[]> {
  const out: T[] = []
  let marker: string | undefined
  do {
    const r = await call(marker)
    out.push(...items(r))
    marker = r.IsTruncated ? r.Marker : undefined
  } while (marker)
  return out
}

/** AccessDenied names the permission iamtrail lacked; other errors pass through with context. */
function explain(err: unknown, principal: string): Error {
  const e = err as { name?: string; message?: string }
  if (e?.name === 'AccessDenied' || e?.name === 'AccessDeniedException') {
    const action = /perform: (\S+)/.exec(e.message ?? '')?.[1]
    return new IamtrailError(
      `reading the policies of ${principal} was denied${action ? `: iamtrail needs ${action}` : ''} (see docs/permissions.md)`,
      'environment',
    )
  }
  if (e?.name === 'NoSuchEntity' || e?.name === 'NoSuchEntityException')
    return new IamtrailError(`${principal} does not exist in IAM (${e.message})`)
  if (e instanceof IamtrailError) return e
  const failure = classifyAwsError(err)
  if (failure.kind === 'credentials') return awsFailureError(failure, 'iam:GetRole', err)
  return new IamtrailError(
    `reading the policies of ${principal} from IAM failed: ${e?.message ?? String(err)}`,
    'environment',
    undefined,
    { cause: err },
  )
}
