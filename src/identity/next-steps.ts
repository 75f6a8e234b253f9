import type { IdentityEdge } from './graph.js'

/** What the next-step advice needs to know of one identity of the graph. */
export interface StepIdentity {
  principal: string
  kind: 'root' | 'session' | 'service-role'
  reachedBy: readonly IdentityEdge[]
  stacks: readonly string[]
  /** The name its managed policy gets in the CloudFormation and Terraform output. */
  policyName: string
}

/** The roles `cdk bootstrap` creates: cdk-<qualifier>-<purpose>-<account>-<region>. */
const CDK_ROLE =
  /^cdk-([a-z0-9]+)-(deploy-role|cfn-exec-role|file-publishing-role|image-publishing-role|lookup-role)-(\d{12})-([a-z0-9-]+)$/
const CDK_DEFAULT_QUALIFIER = 'hnb659fds'

/**
 * What each deploy tool needs next, per identity: where its policy goes (the CDK execution policy
 * and the `cdk bootstrap` line, a CloudFormation service role for Serverless / SAM / --role-arn,
 * Terraform's assume_role role) and what the identity before it keeps. Plain text: each output
 * escapes it for where it goes.
 */
export function nextSteps(ids: readonly StepIdentity[]): string[] {
  const steps: string[] = []
  let bootstrapRoles = 0
  for (const id of ids) {
    const arn = parseRoleArn(id.principal)
    const cdk = arn ? CDK_ROLE.exec(arn.name) : null
    const by = id.reachedBy[0]
    if (cdk) {
      const [, qualifier, purpose, account, region] = cdk as unknown as [
        string,
        string,
        string,
        string,
        string,
      ]
      if (purpose !== 'cfn-exec-role') {
        bootstrapRoles++
        continue
      }
      const policyArn = `arn:${arn!.partition}:iam::${account}:policy/${id.policyName}`
      steps.push(
        `CDK: ${arn!.name} is the CloudFormation execution role (AdministratorAccess unless bootstrapped otherwise). Create its policy as the managed policy ${id.policyName} in account ${account} (the cloudformation or terraform output does), then re-bootstrap with it: cdk bootstrap aws://${account}/${region}${qualifier === CDK_DEFAULT_QUALIFIER ? '' : ` --qualifier ${qualifier}`} --cloudformation-execution-policies ${policyArn}`,
      )
      continue
    }
    if (id.kind === 'service-role') {
      const tool = id.reachedBy.find((e) => e.how === 'passed' && e.tool)?.tool
      const where =
        tool === 'serverless'
          ? `Serverless: provider.iam.deploymentRole: ${id.principal} in serverless.yml`
          : tool === 'sam'
            ? `SAM: sam deploy --role-arn ${id.principal}`
            : `pass it as --role-arn (aws cloudformation deploy, sam deploy) or provider.iam.deploymentRole (Serverless)`
      steps.push(
        `CloudFormation service role ${id.principal}${id.stacks.length ? ` (stacks ${id.stacks.join(', ')})` : ''}: attach ${id.policyName} to it; ${where}. ${by ? `${by.from} keeps its own policy: the stack calls and iam:PassRole on this role, nothing of the resources'` : ''}`.trim(),
      )
      continue
    }
    if (id.kind === 'session' && by) {
      const tool = id.reachedBy.find((e) => e.tool)?.tool
      steps.push(
        tool === 'terraform'
          ? `Terraform: ${id.principal} is the provider's assume_role role: attach ${id.policyName} to it; ${by.from} needs only sts:AssumeRole on it`
          : `${id.principal} is assumed by ${by.from} (${by.call}): attach ${id.policyName} to it; ${by.from} needs sts:AssumeRole on it`,
      )
    }
  }
  if (bootstrapRoles)
    steps.push(
      `CDK: ${bootstrapRoles} bootstrap role(s) (deploy, file-publishing, image-publishing, lookup) keep the policies cdk bootstrap gives them; their sections show what this deploy used of them (iamtrail diff compares)`,
    )
  return steps
}

function parseRoleArn(arn: string): { partition: string; account: string; name: string } | undefined {
  const m = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn)
  return m ? { partition: m[1]!, account: m[2]!, name: m[3]! } : undefined
}
