#!/usr/bin/env node
import { Command, CommanderError } from 'commander'
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

// `iamtrail … | head` closes stdout early; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
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
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage
      return
    }
    const debug = argv.includes('--debug')
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

await main(process.argv)
