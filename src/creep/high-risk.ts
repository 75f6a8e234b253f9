import { statementLabel } from '../diff/diff-policy.js'
import type { NamedPolicy } from '../granted/evaluate.js'
import { actionMatches } from '../granted/wildcard.js'
import { asArray } from '../policy/document.js'

/**
 * Grants that hurt most when a principal is compromised, as data: whole-service wildcards over the
 * services that hold identities, keys and data, and the privilege-escalation actions (documented by
 * Rhino Security Labs' "AWS IAM privilege escalation methods") when they apply to every resource.
 */
export interface RiskRule {
  id: string
  /** An Action pattern as written in a policy, matched case-insensitively (`iam:*`, `*`). */
  pattern?: string
  /** An action that is risky only on `Resource: "*"`. */
  actionOnAnyResource?: string
  reason: string
}

export const RISK_RULES: readonly RiskRule[] = [
  { id: 'admin', pattern: '*', reason: 'every action of every service' },
  { id: 'admin', pattern: '*:*', reason: 'every action of every service' },
  {
    id: 'iam-all',
    pattern: 'iam:*',
    reason: 'all of IAM: create users, keys and policies, i.e. become admin',
  },
  { id: 'sts-all', pattern: 'sts:*', reason: 'assume any role that trusts the account' },
  { id: 'kms-all', pattern: 'kms:*', reason: 'decrypt, re-key or schedule deletion of every key' },
  { id: 's3-all', pattern: 's3:*', reason: 'read, overwrite and delete every bucket and object' },
  {
    id: 'organizations-all',
    pattern: 'organizations:*',
    reason: 'change the organization, its accounts and SCPs',
  },
  { id: 'secretsmanager-all', pattern: 'secretsmanager:*', reason: 'read every secret' },
  { id: 'ec2-all', pattern: 'ec2:*', reason: 'all of EC2, incl. instances with any instance profile' },
  { id: 'lambda-all', pattern: 'lambda:*', reason: 'run any code with any function role' },
  {
    id: 'passrole-any',
    actionOnAnyResource: 'iam:PassRole',
    reason: 'pass any role, incl. admin roles, to a service',
  },
  {
    id: 'assumerole-any',
    actionOnAnyResource: 'sts:AssumeRole',
    reason: 'assume any role that trusts this principal',
  },
  {
    id: 'escalate-policy-version',
    actionOnAnyResource: 'iam:CreatePolicyVersion',
    reason: 'rewrite any managed policy (privilege escalation)',
  },
  {
    id: 'escalate-attach-role',
    actionOnAnyResource: 'iam:AttachRolePolicy',
    reason: 'attach AdministratorAccess to any role',
  },
  {
    id: 'escalate-put-role',
    actionOnAnyResource: 'iam:PutRolePolicy',
    reason: 'write an inline admin policy on any role',
  },
  {
    id: 'escalate-attach-user',
    actionOnAnyResource: 'iam:AttachUserPolicy',
    reason: 'attach AdministratorAccess to any user',
  },
  {
    id: 'escalate-access-key',
    actionOnAnyResource: 'iam:CreateAccessKey',
    reason: 'create access keys for any user',
  },
  {
    id: 'escalate-trust',
    actionOnAnyResource: 'iam:UpdateAssumeRolePolicy',
    reason: 'let anyone assume any role',
  },
]

export interface RiskyGrant {
  rule: string
  statement: string
  /** What the statement grants that makes it risky: the pattern, or the action on `*`. */
  grant: string
  reason: string
}

/** The risky grants of Allow statements (an Allow with NotAction counts as granting what it leaves out). */
export function riskyGrants(identity: readonly NamedPolicy[]): RiskyGrant[] {
  const out: RiskyGrant[] = []
  for (const p of identity) {
    for (const [index, st] of p.document.Statement.entries()) {
      if (st.Effect !== 'Allow') continue
      const statement = statementLabel(
        st.Sid ? { policy: p.name, index, sid: st.Sid } : { policy: p.name, index },
      )
      const patterns = asArray(st.Action).map((a) => a.toLowerCase())
      const notActions = st.NotAction === undefined ? undefined : asArray(st.NotAction)
      const grants = (action: string) =>
        notActions
          ? !notActions.some((n) => actionMatches(n, action))
          : patterns.some((pat) => actionMatches(pat, action))
      const anyResource = st.NotResource !== undefined || asArray(st.Resource).includes('*')
      const seen = new Set<string>()
      // An Allow with NotAction grants every action of every service but the listed ones.
      if (notActions) {
        seen.add('admin')
        out.push({
          rule: 'notaction-allow',
          statement,
          grant: `NotAction ${notActions.join(', ')}`,
          reason: 'every action of every service except those listed',
        })
      }
      for (const r of RISK_RULES) {
        if (seen.has(r.id)) continue
        let grant: string | undefined
        if (r.pattern && patterns.includes(r.pattern)) grant = r.pattern
        else if (r.actionOnAnyResource && anyResource && grants(r.actionOnAnyResource))
          grant = `${r.actionOnAnyResource} on *`
        if (grant) {
          seen.add(r.id)
          out.push({ rule: r.id, statement, grant, reason: r.reason })
        }
      }
    }
  }
  return out
}
