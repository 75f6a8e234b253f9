import type { Command } from 'commander'
import { createCallerIdentity } from '../../aws/caller-identity.js'
import { withGlobalRegion } from '../../collect/lookup/collect-lookup.js'
import { principalText } from '../../collect/lookup/lookup-recording.js'
import { runCommand } from '../../collect/run-command.js'
import { EXIT, IamtrailError } from '../../errors.js'
import { matchesPrincipal, type PrincipalSelector, parsePrincipal } from '../../events/principal.js'
import { FindingList } from '../../findings.js'
import { usageFromInputs } from '../../pipeline.js'
import { parseRegions } from '../parse-options.js'
import {
  addPolicyOutputOptions,
  checkPolicyOutputOptions,
  type PolicyOutputOptions,
  writePolicy,
} from '../policy-output.js'
import { runLookupRecording } from './collect.js'

interface RecordOptions extends PolicyOutputOptions {
  principal?: string
  regions?: string
  name: string
  recording?: string
  settle: string
  maxWait: string
  profile?: string
  region?: string
}

export function registerRecord(program: Command): Command {
  const cmd = program
    .command('record')
    .description(
      'Run a command (a deploy, a teardown), record the CloudTrail events it caused, print the policy',
    )
    .argument('<command...>', 'the command to run, after --')
    .option('-p, --principal <arn>', 'whose calls to record (default: the caller of the credentials)')
    .option('--regions <list>', 'comma-separated regions the command works in; us-east-1 is always added')
    .option('-n, --name <name>', 'label of the recording (deploy, update, teardown, …)', 'deploy')
    .option('--recording <dir>', 'where to save the recording (default: <name>-<start time>.rec)')
    .option('-o, --output <file>', 'write the policy to a file instead of stdout (atomically)')
    .option('--settle <duration>', 'stop once no new events arrived for this long', '5m')
    .option('--max-wait <duration>', 'stop waiting for delivery after this long', '20m')
    .option('--profile <profile>', 'AWS profile, for iamtrail and passed to the command as AWS_PROFILE')
    .option('--region <region>', 'AWS region (as in the AWS CLI); the default for --regions')
    .option('--force', 'replace --recording / --output if they exist', false)
    .option('-q, --quiet', 'no progress or summary on stderr', false)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail record --regions eu-west-1 -- npx serverless deploy
  $ iamtrail record --principal arn:aws:iam::123456789012:role/deployer --name teardown \\
      -- terraform destroy -auto-approve
  $ iamtrail record --settle 2m -o deploy-policy.json -- npx cdk deploy --all

CloudTrail delivers events minutes after the calls: after the command ends, iamtrail polls until no
new event arrived for --settle. Ctrl-C during that wait saves what was collected (iamtrail collect
--resume tops it up). Needs sts:GetCallerIdentity (no permission) and cloudtrail:LookupEvents.
Exit code: the command's when it failed; else 0, 2 if a region could not be collected, 130 if interrupted.`,
    )
  return addPolicyOutputOptions(cmd).action(async (argv: string[], opts: RecordOptions) => {
    checkPolicyOutputOptions(opts)
    const aws = {
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.region ? { region: opts.region } : {}),
    }
    const caller = await createCallerIdentity(aws).getCallerIdentity()
    const principal = opts.principal ? parsePrincipal(opts.principal) : parsePrincipal(caller.arn)
    // The caller's access key finds its calls most selectively, but only when the caller is the
    // principal being recorded (a command may assume another role, e.g. terraform's assume_role).
    const accessKeyId = caller.accessKeyId && isCaller(principal, caller.arn) ? caller.accessKeyId : undefined
    const regions = parseRegions(
      opts.regions ?? opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION,
    )
    if (regions.length === 0) {
      process.stderr.write(
        'iamtrail: warning: no --regions, --region or AWS_REGION: only us-east-1 (global services) is collected\n',
      )
    }
    if (!opts.quiet) {
      process.stderr.write(
        `iamtrail: recording ${principalText(principal)} (caller ${caller.arn}) in ${withGlobalRegion(regions).join(', ')}\n`,
      )
    }
    const env = opts.profile ? { ...process.env, AWS_PROFILE: opts.profile } : process.env
    const run = await runCommand(argv, env)
    if (!opts.quiet) {
      process.stderr.write(
        `iamtrail: command exited with ${run.exitCode} after ${Math.round((run.end.getTime() - run.start.getTime()) / 1000)} s; collecting its CloudTrail events\n`,
      )
    }
    const path = opts.recording ?? `${opts.name}-${compactTime(run.start)}.rec`
    let result: Awaited<ReturnType<typeof runLookupRecording>>
    try {
      result = await runLookupRecording(
        { ...opts, format: 'none' },
        {
          path,
          name: opts.name,
          principal,
          ...(accessKeyId ? { accessKeyId } : {}),
          window: { start: run.start, end: run.end },
          regions,
          force: opts.force,
          command: { argv: run.argv, exitCode: run.exitCode },
        },
      )
    } catch (err) {
      // Credentials that expired during a long deploy: say so, but keep the command's exit code.
      if (!(err instanceof IamtrailError) || run.exitCode === 0) throw err
      process.stderr.write(`iamtrail: ${err.message}\n`)
      process.exitCode = run.exitCode
      return
    }
    const collectedExit = process.exitCode
    if (result.manifest.counts.events > 0) {
      const findings = new FindingList()
      const usage = await usageFromInputs({ inputs: [path], window: {}, sink: findings })
      const code = await writePolicy(usage, findings.items, opts)
      if (code !== EXIT.ok && run.exitCode === 0) {
        process.exitCode = code
        return
      }
    } else {
      process.stderr.write(
        `iamtrail: no CloudTrail events of ${principalText(principal)} in the window; no policy printed\n`,
      )
    }
    process.exitCode = run.exitCode !== 0 ? run.exitCode : (collectedExit ?? EXIT.ok)
  })
}

function isCaller(sel: PrincipalSelector, callerArn: string): boolean {
  const type = callerArn.includes(':assumed-role/')
    ? 'AssumedRole'
    : callerArn.endsWith(':root')
      ? 'Root'
      : 'IAMUser'
  const accountId = callerArn.split(':')[4]
  return matchesPrincipal(
    {
      eventTime: '',
      eventSource: '',
      eventName: '',
      awsRegion: '',
      eventID: '',
      userIdentity: { type, arn: callerArn, ...(accountId ? { accountId } : {}) },
    },
    sel,
  )
}

function compactTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}
