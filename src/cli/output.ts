import { IamtrailError } from '../errors.js'
import { checkWritable, writeFileAtomic } from '../io/atomic-write.js'

const toStdout = (output: string | undefined): output is undefined | '-' =>
  output === undefined || output === '-'

/**
 * Writes a result to stdout, or atomically to a file (src/io/atomic-write.ts): without `force` a
 * user's file is never replaced, not even by a race.
 */
export async function writeOutput(text: string, output: string | undefined, force: boolean): Promise<void> {
  if (!toStdout(output)) return writeFileAtomic(output, text, force)
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(text, (err) =>
      err
        ? reject(
            new IamtrailError(`cannot write to stdout: ${err.message}`, 'environment', undefined, {
              cause: err,
            }),
          )
        : resolve(),
    ),
  )
}

/**
 * Refuses an `--output` that exists without --force, or whose directory cannot be written, before
 * the command reads its inputs or runs anything: a long run must not end in a refusal.
 */
export async function checkOutput(
  output: string | undefined,
  force: boolean,
  option = '--output',
): Promise<void> {
  if (!toStdout(output)) await checkWritable(output, force, option)
}
