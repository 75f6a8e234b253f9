import { link, rename, unlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { IamtrailError } from '../errors.js'

/**
 * Writes a result to stdout, or atomically to a file: the text goes to a temporary sibling first.
 * Without `force` the final step is link(2), which fails if the target exists, so a user's file is
 * never replaced, not even by a race.
 */
export async function writeOutput(text: string, output: string | undefined, force: boolean): Promise<void> {
  if (output === undefined || output === '-') {
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(text, (err) => (err ? reject(err) : resolve())),
    )
    return
  }
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`)
  await writeFile(tmp, text)
  try {
    if (force) {
      await rename(tmp, output)
      return
    }
    await link(tmp, output)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new IamtrailError(`${output} exists; pass --force to overwrite it`)
    }
    throw err
  } finally {
    await unlink(tmp).catch(() => {})
  }
}
