#!/usr/bin/env node
import { Command, CommanderError } from 'commander'
import { awsFailureError, classifyAwsError } from '../aws/aws-errors.js'
import { EXIT, IamtrailError } from '../errors.js'
import { terminalBlock } from '../render/escape.js'
import { IAMTRAIL_VERSION } from '../version.js'
import { registerCollect } from './commands/collect.js'
import { addAthenaSource } from './commands/collect-athena.js'
import { registerCreep } from './commands/creep.js'
import { registerDiff } from './commands/diff.js'
import { registerExplain } from './commands/explain.js'
import { registerPolicy } from './commands/policy.js'
import { registerQueries } from './commands/queries.js'
import { registerRecord } from './commands/record.js'
import { silenceSdkNodeWarning } from './sdk-warning.js'

silenceSdkNodeWarning()

// `iamtrail … | head` closes stdout early; that is the reader's choice, not an error. Any other
// failure (`> /dev/full`, a full disk) is the environment's: a message and exit 1, not a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  process.stderr.write(`iamtrail: cannot write to stdout: ${err.message}\n`)
  process.exit(EXIT.usage)
})

/** The one place that turns an exception into a message and an exit code. */
async function main(argv: string[]): Promise<void> {
  const program = new Command('iamtrail')
    .description('Least-privilege IAM policies from CloudTrail evidence')
    .version(IAMTRAIL_VERSION)
    .option('--debug', 'print stack traces')
    .showHelpAfterError()
    .exitOverride()
  registerPolicy(program)
  registerExplain(program)
  registerDiff(program)
  addAthenaSource(registerCollect(program))
  registerRecord(program)
  registerCreep(program)
  registerQueries(program)
  try {
    await program.parseAsync(argv)
  } catch (caught) {
    let err = caught
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage
      return
    }
    const debug = argv.includes('--debug')
    const aws = awsFailure(err)
    if (aws) err = aws
    if (err instanceof IamtrailError) {
      process.stderr.write(`iamtrail: ${terminalBlock(err.message)}\n`)
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`)
      process.exitCode = err.exitCode
      return
    }
    process.stderr.write(
      `iamtrail: internal error: ${terminalBlock((err as Error)?.message ?? String(err))}\n`,
    )
    if (debug) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`)
    else process.stderr.write('  (run again with --debug for the stack trace, and please report it)\n')
    process.exitCode = EXIT.internal
  }
}

/**
 * An AWS failure no command explained (missing credentials, a service error) is the environment's,
 * not a bug: exit 1 with what to fix, never 70. SDK errors carry `$metadata`; the credential chain's
 * own errors carry only their name.
 */
function awsFailure(err: unknown): IamtrailError | undefined {
  if (err instanceof IamtrailError || !(err instanceof Error)) return undefined
  const fromSdk =
    '$metadata' in err || err.name === 'CredentialsProviderError' || err.name === 'TokenProviderError'
  return fromSdk ? awsFailureError(classifyAwsError(err), 'an AWS request', err) : undefined
}

await main(process.argv)
