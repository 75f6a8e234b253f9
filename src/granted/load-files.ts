import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { IamtrailError } from '../errors.js'
import type { PolicyDocument } from '../policy/document.js'
import { awsManagedPolicy, isAwsManagedPolicyArn } from './aws-managed.js'
import type { GrantedPolicies, NamedPolicy } from './evaluate.js'
import { validateStatement } from './validate-policy.js'

/**
 * Granted policies from files: a policy document, a directory of them, `aws iam get-policy-version`
 * output, or `aws iam get-account-authorization-details` output (the principal's inline, attached
 * managed, group and boundary policies are picked from it). An AWS managed policy ARN
 * (`arn:aws:iam::aws:policy/AdministratorAccess`) is resolved offline.
 */
export async function loadGrantedFromFiles(path: string, principal?: string): Promise<GrantedPolicies> {
  if (isAwsManagedPolicyArn(path)) return { identity: [await awsManagedPolicy(path)] }
  let isDir = false
  try {
    isDir = (await stat(path)).isDirectory()
  } catch (err) {
    throw new IamtrailError(`--granted ${path}: ${(err as Error).message}`)
  }
  if (isDir) {
    const files = (await readdir(path)).filter((f) => f.endsWith('.json')).sort()
    const identity: NamedPolicy[] = []
    for (const f of files) identity.push(...(await loadGrantedFromFiles(join(path, f), principal)).identity)
    if (identity.length === 0)
      throw new IamtrailError(`--granted ${path}: no .json policy documents in the directory`)
    return { identity }
  }
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new IamtrailError(`--granted ${path}: not valid JSON (${(err as Error).message})`)
  }
  const o = doc as Record<string, unknown>
  if (Array.isArray(o.RoleDetailList) || Array.isArray(o.UserDetailList))
    return fromAuthorizationDetails(o, path, principal)
  const name = basename(path)
  return { identity: [{ name, document: asPolicyDocument(o, path) }] }
}

export function asPolicyDocument(v: unknown, where: string): PolicyDocument {
  let d = v as Record<string, unknown>
  if (typeof d === 'string') d = decodeDocument(d, where)
  const pv = d?.PolicyVersion as { Document?: unknown } | undefined
  if (pv?.Document) return asPolicyDocument(pv.Document, where)
  if (!d || typeof d !== 'object' || !('Statement' in d))
    throw new IamtrailError(`${where}: not an IAM policy document (no Statement)`)
  const statements = (Array.isArray(d.Statement) ? d.Statement : [d.Statement]).map((s, i) =>
    validateStatement(s, where, i),
  )
  return { ...(d as unknown as PolicyDocument), Statement: statements }
}

/**
 * IAM hands documents back URL-encoded (RFC 3986); the AWS CLI and files have them as JSON text. A
 * document that is neither is named, since an evaluation of half a policy would mislead.
 */
function decodeDocument(text: string, where: string): Record<string, unknown> {
  let json = text
  if (!/^\s*\{/.test(text)) {
    try {
      json = decodeURIComponent(text)
    } catch {
      throw new IamtrailError(`${where}: the policy document is not valid URL encoding (a bad %-escape)`)
    }
  }
  try {
    return JSON.parse(json) as Record<string, unknown>
  } catch (err) {
    throw new IamtrailError(`${where}: the policy document is not valid JSON (${(err as Error).message})`)
  }
}

interface ManagedPolicy {
  Arn: string
  PolicyName?: string
  DefaultVersionId?: string
  PolicyVersionList?: { Document: unknown; VersionId?: string; IsDefaultVersion?: boolean }[]
}
interface Attached {
  PolicyArn: string
  PolicyName?: string
}
interface Inline {
  PolicyName: string
  PolicyDocument: unknown
}

async function fromAuthorizationDetails(
  o: Record<string, unknown>,
  path: string,
  principal?: string,
): Promise<GrantedPolicies> {
  if (!principal)
    throw new IamtrailError(
      `--granted ${path} is get-account-authorization-details output: say whose policies with --principal`,
    )
  const managed = new Map((o.Policies as ManagedPolicy[] | undefined)?.map((p) => [p.Arn, p]) ?? [])
  const managedDoc = async (a: Attached): Promise<NamedPolicy> => {
    const p = managed.get(a.PolicyArn)
    const v =
      p?.PolicyVersionList?.find((x) => x.IsDefaultVersion) ??
      p?.PolicyVersionList?.find((x) => x.VersionId === p?.DefaultVersionId)
    // `--filter Role User Group LocalManagedPolicy` leaves AWS managed policies out; resolve those offline.
    if (!v && isAwsManagedPolicyArn(a.PolicyArn)) return awsManagedPolicy(a.PolicyArn)
    if (!v)
      throw new IamtrailError(
        `${path}: managed policy ${a.PolicyArn} is attached but its document is not in the file (run get-account-authorization-details with --filter LocalManagedPolicy AWSManagedPolicy too)`,
      )
    return { name: a.PolicyArn, document: asPolicyDocument(v.Document, `${path} ${a.PolicyArn}`) }
  }
  const inline = (owner: string, list: Inline[] | undefined): NamedPolicy[] =>
    (list ?? []).map((i) => ({
      name: `${owner}/${i.PolicyName}`,
      document: asPolicyDocument(i.PolicyDocument, `${path} ${owner}/${i.PolicyName}`),
    }))
  const role = (o.RoleDetailList as Record<string, unknown>[] | undefined)?.find((r) => r.Arn === principal)
  const user = (o.UserDetailList as Record<string, unknown>[] | undefined)?.find((u) => u.Arn === principal)
  const entity = role ?? user
  if (!entity) throw new IamtrailError(`${path}: no role or user ${principal} in the authorization details`)
  const identity: NamedPolicy[] = [
    ...inline(
      String(entity.RoleName ?? entity.UserName),
      (entity.RolePolicyList ?? entity.UserPolicyList) as Inline[],
    ),
    ...(await Promise.all(
      ((entity.AttachedManagedPolicies as Attached[] | undefined) ?? []).map(managedDoc),
    )),
  ]
  if (user) {
    const groups = (o.GroupDetailList as Record<string, unknown>[] | undefined) ?? []
    for (const gname of (user.GroupList as string[] | undefined) ?? []) {
      const g = groups.find((x) => x.GroupName === gname)
      if (!g) continue
      identity.push(
        ...inline(`group/${gname}`, g.GroupPolicyList as Inline[]),
        ...(await Promise.all(((g.AttachedManagedPolicies as Attached[] | undefined) ?? []).map(managedDoc))),
      )
    }
  }
  const result: GrantedPolicies = { identity }
  const pb = entity.PermissionsBoundary as { PermissionsBoundaryArn?: string } | undefined
  if (pb?.PermissionsBoundaryArn)
    result.boundary = [await managedDoc({ PolicyArn: pb.PermissionsBoundaryArn })]
  return result
}
