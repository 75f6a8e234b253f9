import { stringify } from 'yaml'
import { asArray, type PolicyDocument } from '../policy/document.js'
import { accountsAndRegions, placehold } from './portable.js'

export interface CloudFormationOptions {
  portable: boolean
  /** Also create the role that holds the policies, with a trust policy. */
  roleName?: string
  /** A service principal (`lambda.amazonaws.com`, `cloudformation`) or a 12-digit account id. */
  trust?: string
  description: string
}

/** The documents of one identity (or of the only one), under one logical-id stem. */
export interface PolicyGroup {
  /** Logical id stem (`IamtrailPolicy`); split parts get 1, 2, … */
  id: string
  description: string
  docs: PolicyDocument[]
  /** ManagedPolicyName (split parts get -1, -2, …): set when a next step names the policy's ARN. */
  policyName?: string
}

/**
 * A CloudFormation template with one AWS::IAM::ManagedPolicy per document (and the role, when
 * asked), like the "minimal template" deploy tools hand their users. `--portable` writes ARNs through
 * Fn::Sub with ${AWS::AccountId} and ${AWS::Region}.
 */
export function renderCloudFormation(docs: PolicyDocument[], opts: CloudFormationOptions): string {
  return renderCloudFormationGroups([{ id: 'IamtrailPolicy', description: opts.description, docs }], opts)
}

/**
 * One template for several identities: each group's policies under its own logical ids, with its own
 * description; `metadata` (the identity graph) goes into the template's Metadata.
 */
export function renderCloudFormationGroups(
  groups: PolicyGroup[],
  opts: CloudFormationOptions & { metadata?: unknown },
): string {
  const literal = accountsAndRegions(
    groups.flatMap((g) => g.docs.flatMap((d) => d.Statement.flatMap((s) => asArray(s.Resource)))),
  )
  const resources: Record<string, unknown> = {}
  const names: string[] = []
  for (const group of groups) {
    const { docs } = group
    docs.forEach((doc, i) => {
      const name = `${group.id}${docs.length > 1 ? i + 1 : ''}`
      names.push(name)
      resources[name] = {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          ...(group.policyName
            ? { ManagedPolicyName: `${group.policyName}${docs.length > 1 ? `-${i + 1}` : ''}` }
            : {}),
          Description: `${group.description}${docs.length > 1 ? ` (part ${i + 1} of ${docs.length})` : ''}`,
          PolicyDocument: opts.portable ? portableDocument(doc, literal) : doc,
        },
      }
    })
  }
  if (opts.roleName) {
    resources.IamtrailRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: opts.roleName,
        AssumeRolePolicyDocument: trustPolicy(opts.trust),
        ManagedPolicyArns: names.map((n) => ({ Ref: n })),
      },
    }
  }
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: opts.description,
    ...(opts.metadata ? { Metadata: { iamtrail: opts.metadata } } : {}),
    Resources: resources,
    Outputs: Object.fromEntries(names.map((n) => [`${n}Arn`, { Value: { Ref: n } }])),
  }
  return stringify(template, { lineWidth: 0, aliasDuplicateObjects: false })
}

function portableDocument(
  doc: PolicyDocument,
  literal: { accounts: string[]; regions: string[] },
): PolicyDocument {
  return {
    ...doc,
    Statement: doc.Statement.map((s) => ({
      ...s,
      Resource: asArray(s.Resource).map((r) => {
        const p = placehold(r.replace(/\$\{/g, '${!'), literal, {
          account: '${AWS::AccountId}',
          region: '${AWS::Region}',
        })
        return p.includes('${AWS::') ? { 'Fn::Sub': p } : r
      }),
    })),
  } as PolicyDocument
}

export function trustPolicy(trust: string | undefined) {
  if (!trust)
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
          Action: 'sts:AssumeRole',
        },
      ],
    }
  const principal = /^\d{12}$/.test(trust)
    ? { AWS: `arn:aws:iam::${trust}:root` }
    : { Service: trust.includes('.') ? trust : `${trust}.amazonaws.com` }
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
  }
}
