import type { Command } from 'commander'
import { describeCredentialSource, readProfile } from '../../aws/aws-config-files.js'
import { createCallerIdentity, createCredentialProvider } from '../../aws/caller-identity.js'
import { childEnvironment, serveCredentials } from '../../collect/credentials-endpoint.js'
import { withGlobalRegion } from '../../collect/lookup/collect-lookup.js'

import { type CommandRun, runCommand } from '../../collect/run-command.js'
import { EXIT, IamtrailError } from '../../errors.js'
import { type PrincipalSelector, parsePrincipal, principalText } from '../../events/principal.js'
import { FindingList } from '../../findings.js'
import { IdentityGraph } from '../../identity/graph.js'
import { policyUsages, writeUsagesPolicy } from '../identity-policies.js'
import { checkOutput } from '../output.js'
import { parseRegions } from '../parse-options.js'
import {
  addPolicyOutputOptions,
  checkPolicyOutputOptions,
  type PolicyOutputOptions,
} from '../policy-output.js'
import { userEnvironment } from '../sdk-warning.js'
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
  follow: boolean
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
    .option(
      '--profile <profile>',
      'AWS profile: iamtrail resolves it once and shares the credentials with the command',
    )
    .option('--no-follow', 'only the recorded identity, not the roles it assumes or passes to CloudFormation')
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
    // Before the credentials and the command: a deploy must not run for a result that is then refused.
    await checkOutput(opts.output, opts.force)
    await checkOutput(opts.recording, opts.force, '--recording')
    const aws = {
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts.region ? { region: opts.region } : {}),
    }
    // Resolved once, here: a role_arn or SSO profile, or a minting credential_process, would give the
    // command other keys and another session than iamtrail's, and its calls could not be found.
    const credentials = await createCredentialProvider(aws)
    const caller = await createCallerIdentity({ ...aws, credentials }).getCallerIdentity()
    const profile = await readProfile(process.env, opts.profile)
    const source = describeCredentialSource(
      process.env,
      profile,
      Boolean(opts.profile || process.env.AWS_PROFILE),
    )
    const roots = opts.principal ? [parsePrincipal(opts.principal)] : undefined
    const regions = parseRegions(
      opts.regions ??
        opts.region ??
        process.env.AWS_REGION ??
        process.env.AWS_DEFAULT_REGION ??
        profile.values.region,
    )
    if (regions.length === 0) {
      process.stderr.write(
        'iamtrail: warning: no --regions, --region or AWS_REGION: only us-east-1 (global services) is collected\n',
      )
    }
    const endpoint = await serveCredentials(credentials)
    if (!opts.quiet) {
      const who = roots?.[0] ? principalText(roots[0]) : 'every call signed with the keys it hands out'
      const follow = opts.follow ? ', following the roles it hands work to' : ''
      process.stderr.write(
        `iamtrail: recording ${who} (caller ${caller.arn}; ${source}) in ${withGlobalRegion(regions).join(', ')}${follow}\n` +
          `iamtrail: the command gets these credentials from ${endpoint.url} (AWS_CONTAINER_CREDENTIALS_FULL_URI); AWS_PROFILE and credential variables are unset for it\n`,
      )
    }
    const child = await childEnvironment(userEnvironment(), endpoint, profile)
    let run: CommandRun
    try {
      run = await runCommand(argv, child.env)
    } finally {
      await endpoint.close()
      await child.dispose()
    }
    if (!opts.quiet) {
      process.stderr.write(
        `iamtrail: command exited with ${run.exitCode} after ${Math.round((run.end.getTime() - run.start.getTime()) / 1000)} s (it fetched credentials ${endpoint.fetches} time(s)); collecting its CloudTrail events\n`,
      )
    }
    // Never narrowed to one key: a role means all its sessions; without --principal, every key handed out.
    const selectors: PrincipalSelector[] =
      roots ?? endpoint.keys.map((id): PrincipalSelector => ({ kind: 'access-key', id }))
    const graph = new IdentityGraph(selectors, opts.follow)
    const path = opts.recording ?? `${opts.name}-${compactTime(run.start)}.rec`
    let result: Awaited<ReturnType<typeof runLookupRecording>>
    try {
      result = await runLookupRecording(
        { ...opts, format: 'none' },
        {
          path,
          name: opts.name,
          principal: selectors[0] as PrincipalSelector,
          label: roots ? principalText(selectors[0] as PrincipalSelector) : caller.arn,
          graph,
          window: { start: run.start, end: run.end },
          regions,
          force: opts.force,
          command: { argv: run.argv, exitCode: run.exitCode },
          credentials: () => ({
            sharing: 'container-endpoint',
            source,
            keys: [...endpoint.keys],
            fetches: endpoint.fetches,
          }),
        },
        { credentials, lookingFor: () => describeSearch(graph) },
      )
    } catch (err) {
      // Credentials that expired during a long deploy: say so, but keep the command's exit code.
      if (!(err instanceof IamtrailError) || run.exitCode === 0) throw err
      process.stderr.write(`iamtrail: ${err.message}\n`)
      process.exitCode = run.exitCode
      return
    }
    const collectedExit = process.exitCode
    if (result.manifest.counts.events === 0) {
      process.stderr.write(
        emptyRecordingMessage({
          graph,
          window: result.manifest.window,
          regions: result.manifest.regions,
          source,
          fetches: endpoint.fetches,
          waitedMs: result.manifest.settle.waitedMs ?? 0,
        }),
      )
      // An empty recording is no success: its policy would grant nothing the deploy needs.
      process.exitCode = run.exitCode !== 0 ? run.exitCode : EXIT.incomplete
      return
    }
    const findings = new FindingList()
    // The recording holds the graph's calls: one policy per identity (or the one principal's).
    const req = { inputs: [path], window: {}, sink: findings }
    const usages = await policyUsages(roots?.[0] ? { ...req, principal: roots[0] } : req, opts.follow)
    const code = await writeUsagesPolicy(usages, findings.items, opts)
    if (code !== EXIT.ok && run.exitCode === 0) process.exitCode = code
    else process.exitCode = run.exitCode !== 0 ? run.exitCode : (collectedExit ?? EXIT.ok)
  })
}

/** What was looked for, in words: the roots, and the keys and roles followed from them. */
export function describeSearch(graph: IdentityGraph): string {
  const roots = graph.roots.filter((r) => r.kind !== 'access-key').map(principalText)
  const keys = graph.accessKeys()
  const roles = graph.passedRoles().map((r) => r.roleArn)
  return [
    ...(roots.length ? [roots.join(', ')] : []),
    ...(keys.length ? [`access key(s) ${keys.join(', ')}`] : []),
    ...(roles.length ? [`the CloudFormation sessions of ${roles.join(', ')}`] : []),
  ].join('; ')
}

/**
 * Why a recording is empty, with what a user can check: which keys were looked for, where, the
 * credential type, and whether the command used the shared credentials at all.
 */
export function emptyRecordingMessage(r: {
  graph: IdentityGraph
  window: { start: string; end: string }
  regions: string[]
  source: string
  fetches: number
  waitedMs: number
}): string {
  const used =
    r.fetches > 0
      ? `the command fetched the shared credentials ${r.fetches} time(s), so its calls were signed with the keys above: they may not have reached CloudTrail yet (iamtrail collect --resume tops the recording up), or went to regions not collected (--regions)`
      : 'the command never fetched the shared credentials: it resolved its own (a profile or keys named in its own configuration, e.g. a Terraform provider block), so its calls are not attributable to these keys'
  return [
    'iamtrail: error: the recording is empty: no CloudTrail events of the recorded identities in the window; no policy printed',
    `  looked for:  ${describeSearch(r.graph)}`,
    `  window:      ${r.window.start} – ${r.window.end}, regions ${r.regions.join(', ')}, waited ${Math.round(r.waitedMs / 1000)} s`,
    `  credentials: ${r.source}`,
    `  ${used}`,
    '',
  ].join('\n')
}

function compactTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}
