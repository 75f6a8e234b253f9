import type { Command } from 'commander'
import { EXIT } from '../../errors.js'
import { FindingList } from '../../findings.js'
import { policyUsages, writeUsagesPolicy } from '../identity-policies.js'
import { checkOutput } from '../output.js'
import { JOBS_OPTION, parseJobs, parseSelector, parseWindow } from '../parse-options.js'
import {
  addPolicyOutputOptions,
  checkPolicyOutputOptions,
  type PolicyOutputOptions,
} from '../policy-output.js'

interface PolicyOptions extends PolicyOutputOptions {
  principal?: string
  accessKeyId?: string
  start?: string
  end?: string
  jobs?: string
  follow?: boolean
}

export function registerPolicy(program: Command): void {
  const cmd = program
    .command('policy')
    .description('Synthesize the minimal IAM policy for what a principal did, from CloudTrail evidence')
    .argument(
      '<inputs...>',
      'recordings (several merge into one policy), CloudTrail log files or directories (S3 layout), lookup-events output, NDJSON, or - for stdin',
    )
    .option(
      '-p, --principal <arn>',
      'IAM user, role (all its sessions), assumed-role session, root or federated-user ARN',
    )
    .option('--access-key-id <id>', "only the calls signed with this access key (one session's calls)")
    .option(
      '--follow',
      'also the identities it hands work to (roles it assumes, CloudFormation service roles it passes): one policy each',
    )
    .option('--no-follow', 'only the selected principal, even in a recording made following identities')
    .option('--start <time>', 'window start, ISO-8601 UTC (e.g. 2026-11-20T10:00Z)')
    .option('--end <time>', 'window end, ISO-8601 UTC, exclusive')
    .option('-o, --output <file>', 'write to a file instead of stdout (atomically)')
    .option('--force', 'overwrite --output if it exists', false)
    .option('-q, --quiet', 'no summary on stderr', false)
    .option(...JOBS_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail policy examples/cfn-lambda-deploy.rec
  $ iamtrail policy deploy.rec update.rec teardown.rec --format markdown -o PERMISSIONS.md
  $ iamtrail policy deploy.rec --format cloudformation --portable --role-name deployer --trust cloudformation
  $ iamtrail policy deploy.rec --format terraform --resources prefix:orders-api-
  $ iamtrail policy ./AWSLogs --principal arn:aws:iam::123456789012:role/deployer \\
      --start 2026-11-20T10:00Z --end 2026-11-20T10:30Z --verify
  $ zcat trail.ndjson.gz | iamtrail policy - --principal arn:aws:iam::123456789012:user/ci
  $ iamtrail policy ./AWSLogs --principal arn:aws:iam::123456789012:user/dev --follow \\
      --start 2026-11-20T10:00Z --end 2026-11-20T10:30Z --format cloudformation

--follow (the default for recordings iamtrail record made): from the selected principal, the sessions
it created (AssumeRole*, SSO) and the CloudFormation service roles it passed (roleARN), recursively;
one policy per identity (JSON keyed by identity ARN, a managed policy each in CloudFormation and
Terraform, a section each in markdown), with who reached whom and what each tool needs next.

Exit codes: 0 ok; 1 usage error or nothing to do; 2 policy written but an input failed (may be incomplete);
3 --verify found a recorded call the policy would not allow.`,
    )
  addPolicyOutputOptions(cmd).action(async (inputs: string[], opts: PolicyOptions) => {
    checkPolicyOutputOptions(opts)
    await checkOutput(opts.output, opts.force)
    const findings = new FindingList()
    const principal = parseSelector(opts.principal, opts.accessKeyId)
    const req = {
      inputs,
      window: parseWindow(opts.start, opts.end),
      sink: findings,
      jobs: parseJobs(opts.jobs, opts.quiet),
    }
    const usages = await policyUsages(principal ? { ...req, principal } : req, opts.follow)
    const result = usages.result
    const code = await writeUsagesPolicy(usages, findings.items, opts)
    if (code !== EXIT.ok) process.exitCode = code
    else if (result.stats.filesWithErrors > 0 || findings.hasErrors()) process.exitCode = EXIT.incomplete
  })
}
