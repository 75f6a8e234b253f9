import { readFile } from 'node:fs/promises'
import { awsFailureError, classifyAwsError } from '../aws/aws-errors.js'
import { IamtrailError } from '../errors.js'
import type { IamPort } from '../granted/load-iam.js'
import type { GlobMatcher } from '../granted/wildcard.js'

/** A principal in scope of a creep report, with what IAM knows of its age. */
export interface ScopedPrincipal {
  arn: string
  createdAt?: string
  path?: string
}

const ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/

/** `--principals-from FILE`: one ARN a line; blank lines and `#` comments ignored. */
export async function principalsFromFile(path: string): Promise<ScopedPrincipal[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new IamtrailError(`--principals-from ${path}: ${(err as Error).message}`)
  }
  const out: ScopedPrincipal[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    if (!ARN.test(line)) throw new IamtrailError(`${path}:${i + 1}: not a role or user ARN: ${line}`)
    out.push({ arn: line })
  }
  return out
}

/** Every role of `get-account-authorization-details` output, with its path and creation date. */
export async function rolesFromAuthorizationDetails(path: string): Promise<ScopedPrincipal[]> {
  const o = JSON.parse(await readFile(path, 'utf8')) as {
    RoleDetailList?: { Arn: string; Path?: string; CreateDate?: string }[]
  }
  if (!Array.isArray(o.RoleDetailList))
    throw new IamtrailError(`--all-roles: ${path} is not get-account-authorization-details output`)
  return o.RoleDetailList.map((r) => ({
    arn: r.Arn,
    ...(r.Path ? { path: r.Path } : {}),
    ...(r.CreateDate ? { createdAt: new Date(r.CreateDate).toISOString() } : {}),
  }))
}

/** Every role of the account, from IAM ListRoles (paginated). */
export async function rolesFromIam(iam: IamPort): Promise<ScopedPrincipal[]> {
  const { ListRolesCommand } = await import('@aws-sdk/client-iam')
  const out: ScopedPrincipal[] = []
  let Marker: string | undefined
  do {
    const r = await iam
      .send(new ListRolesCommand({ ...(Marker ? { Marker } : {}) }))
      .catch((err: unknown) => {
        throw awsFailureError(classifyAwsError(err), 'iam:ListRoles', err)
      })
    for (const role of r.Roles ?? [])
      out.push({
        arn: role.Arn!,
        ...(role.Path ? { path: role.Path } : {}),
        ...(role.CreateDate ? { createdAt: role.CreateDate.toISOString() } : {}),
      })
    Marker = r.IsTruncated ? r.Marker : undefined
  } while (Marker)
  return out
}

/** `--exclude-path /aws-service-role/` and `--exclude 'arn:aws:iam::*:role/OrganizationAccountAccessRole'`. */
export function inScope(
  p: ScopedPrincipal,
  excludePaths: readonly string[],
  exclude: readonly GlobMatcher[],
): boolean {
  const path = p.path ?? `/${p.arn.split(':').pop()!.split('/').slice(1, -1).join('/')}/`.replace('//', '/')
  if (excludePaths.some((x) => path.startsWith(x))) return false
  return !exclude.some((re) => re.test(p.arn))
}
