import type { Command } from 'commander'
import { EXIT } from '../../errors.js'
import { FindingList } from '../../findings.js'
import { verifyPolicy } from '../../granted/verify.js'
import { usageFromInputs } from '../../pipeline.js'
import { keptGrants, synthesizePolicy } from '../../synthesize/statements.js'
import { writeOutput } from '../output.js'
import { parseSelector, parseWindow } from '../parse-options.js'
import { formatSummary } from '../summary.js'

interface PolicyOptions {
  principal?: string
  accessKeyId?: string
  start?: string
  end?: string
  format: string
  output?: string
  force: boolean
  excludeDenied: boolean
  quiet: boolean
  verify: boolean
}

export function registerPolicy(program: Command): void {
  program
    .command('policy')
    .description('Synthesize the minimal IAM policy for what a principal did, from CloudTrail evidence')
    .argument(
      '<inputs...>',
      'recordings, CloudTrail log files or directories (S3 layout), lookup-events output, NDJSON, or - for stdin',
    )
    .option(
      '-p, --principal <arn>',
      'IAM user, role (all its sessions), assumed-role session, root or federated-user ARN',
    )
    .option('--access-key-id <id>', "only the calls signed with this access key (one session's calls)")
    .option('--start <time>', 'window start, ISO-8601 UTC (e.g. 2026-11-20T10:00Z)')
    .option('--end <time>', 'window end, ISO-8601 UTC, exclusive')
    .option('-f, --format <format>', 'output format: json', 'json')
    .option('-o, --output <file>', 'write to a file instead of stdout (atomically)')
    .option('--force', 'overwrite --output if it exists', false)
    .option('--exclude-denied', 'leave out permissions that were denied during the recording', false)
    .option('-q, --quiet', 'no summary on stderr', false)
    .option(
      '--verify',
      'replay every recorded grant against the policy with the evaluator; fail if any would be denied',
      false,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail policy examples/serverless-deploy.rec
  $ iamtrail policy ./AWSLogs --principal arn:aws:iam::123456789012:role/deployer \\
      --start 2026-11-20T10:00Z --end 2026-11-20T10:30Z
  $ aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=deployer > events.json
  $ iamtrail policy events.json -o policy.json
  $ zcat trail.ndjson.gz | iamtrail policy - --principal arn:aws:iam::123456789012:user/ci

Exit codes: 0 ok; 1 usage error or nothing to do; 2 policy written but an input failed (may be incomplete);
3 --verify found a recorded call the policy would not allow.`,
    )
    .action(async (inputs: string[], opts: PolicyOptions) => {
      const findings = new FindingList()
      const principal = parseSelector(opts.principal, opts.accessKeyId)
      const window = parseWindow(opts.start, opts.end)
      const req = { inputs, window, sink: findings }
      const result = await usageFromInputs(principal ? { ...req, principal } : req)
      const policy = synthesizePolicy(result.usage, { excludeDenied: opts.excludeDenied })
      await writeOutput(`${JSON.stringify(policy, null, 2)}\n`, opts.output, opts.force)
      if (!opts.quiet) process.stderr.write(formatSummary(result.stats, result.usage, findings.items))
      if (opts.verify) {
        const grants = keptGrants(result.usage, { excludeDenied: opts.excludeDenied })
        const failures = verifyPolicy(grants, result.usage.principal, [policy])
        if (failures.length) {
          for (const f of failures)
            process.stderr.write(
              `iamtrail: verify: ${f.action} on ${f.resource} would be ${f.decision.result}${f.decision.result === 'conditional' ? ` (needs ${f.decision.keys.join(', ')})` : ''}\n`,
            )
          process.stderr.write(
            `iamtrail: verify FAILED: ${failures.length} of ${grants.length} recorded grants are not allowed by the policy\n`,
          )
          process.exitCode = EXIT.gate
          return
        }
        process.stderr.write(
          `iamtrail: verify: all ${grants.length} recorded grants are allowed by the policy\n`,
        )
      }
      if (result.stats.filesWithErrors > 0 || findings.hasErrors()) process.exitCode = EXIT.incomplete
    })
}
