import { IamtrailError } from '../errors.js'
import type { CloudTrailEvent } from './cloudtrail-event.js'

/**
 * Who to select. A role ARN selects every session of the role; a session ARN selects one session;
 * an access key selects the calls signed with it.
 */
export type PrincipalSelector =
  | { kind: 'user'; arn: string }
  | { kind: 'role'; arn: string; account: string; name: string }
  | { kind: 'session'; arn: string }
  | { kind: 'root'; arn: string; account: string }
  | { kind: 'federated'; arn: string }
  | { kind: 'access-key'; id: string }

const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):(iam|sts)::(\d{12}):(.+)$/

export function parsePrincipal(value: string): PrincipalSelector {
  const m = ARN.exec(value)
  if (!m) {
    throw new IamtrailError(
      `--principal ${JSON.stringify(value)} is not an IAM user, role, assumed-role session, root or federated-user ARN (e.g. arn:aws:iam::123456789012:role/deployer)`,
    )
  }
  const [, , service, account, rest] = m as unknown as [string, string, string, string, string]
  if (service === 'iam' && rest === 'root') return { kind: 'root', arn: value, account }
  if (service === 'iam' && rest.startsWith('user/')) return { kind: 'user', arn: value }
  if (service === 'iam' && rest.startsWith('role/')) {
    const name = rest.split('/').pop()!
    return { kind: 'role', arn: value, account, name }
  }
  if (service === 'sts' && rest.startsWith('assumed-role/') && rest.split('/').length >= 3) {
    return { kind: 'session', arn: value }
  }
  if (service === 'sts' && rest.startsWith('federated-user/')) return { kind: 'federated', arn: value }
  throw new IamtrailError(`--principal ${value}: unsupported principal type '${rest.split('/')[0]}'`)
}

export function matchesPrincipal(event: CloudTrailEvent, sel: PrincipalSelector): boolean {
  const id = event.userIdentity
  if (!id) return false
  switch (sel.kind) {
    case 'access-key':
      return id.accessKeyId === sel.id
    case 'user':
    case 'session':
    case 'federated':
      return id.arn === sel.arn
    case 'root':
      return id.type === 'Root' && id.accountId === sel.account
    case 'role': {
      const issuer = id.sessionContext?.sessionIssuer
      if (issuer?.arn) return issuer.type === 'Role' && issuer.arn === sel.arn
      // Some records (older versions, some services) carry only the session ARN; the role path is not
      // in it, so compare account and role name.
      return (
        id.type === 'AssumedRole' &&
        id.arn !== undefined &&
        id.arn.startsWith(`arn:${partitionOf(sel.arn)}:sts::${sel.account}:assumed-role/${sel.name}/`)
      )
    }
  }
}

function partitionOf(arn: string): string {
  return arn.split(':')[1] ?? 'aws'
}

/**
 * The principal an event belongs to, as a user would name it with --principal: the role for
 * assumed-role sessions (all sessions of a deployer role are one principal), the ARN otherwise.
 * Undefined for events with no principal (AwsServiceEvent, anonymous calls).
 */
export function principalOf(event: CloudTrailEvent): string | undefined {
  const id = event.userIdentity
  if (!id) return undefined
  if (id.type === 'AssumedRole') {
    const issuer = id.sessionContext?.sessionIssuer?.arn
    if (issuer) return issuer
  }
  if (id.type === 'Root' && id.accountId) return `arn:aws:iam::${id.accountId}:root`
  return id.arn
}

/**
 * A string every raw record of the selection contains verbatim, for skipping other principals'
 * records before parsing them. IAM and session names use only [\w+=,.@-], which JSON never escapes.
 * Undefined when no such string exists (root: every record carries the account id).
 */
export function needleFor(sel: PrincipalSelector): string | undefined {
  switch (sel.kind) {
    case 'access-key':
      return sel.id
    case 'role':
      return sel.name
    case 'user':
    case 'session':
    case 'federated':
      return sel.arn.split('/').pop()
    case 'root':
      return undefined
  }
}

/** A selector as a manifest and messages name it: the ARN, or the access key id. */
export function principalText(sel: PrincipalSelector): string {
  return sel.kind === 'access-key' ? sel.id : sel.arn
}

/** The selector a manifest's principal stands for: an ARN, or an access key id. */
export function principalFromManifest(principal: string): PrincipalSelector {
  return principal.startsWith('arn:') ? parsePrincipal(principal) : { kind: 'access-key', id: principal }
}
