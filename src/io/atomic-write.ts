import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, link, lstat, open, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { IamtrailError } from '../errors.js'

/**
 * Writes `text` to `path` atomically, so a reader sees the old file or the whole new one. The text
 * goes to a temporary sibling first, created exclusively (O_CREAT|O_EXCL, which never follows a
 * symlink) under a random name with mode 0600: a planted file or symlink at a guessable name cannot
 * redirect the write. It is opened to 0644 only once complete. Without `force` the publishing step
 * is link(2), which fails if the target exists (even one created meanwhile, even a symlink), so a
 * user's file is never replaced; with `force`, rename(2) replaces the target itself, never what a
 * symlink there points to.
 *
 * A target that exists and is not a regular file (a device such as /dev/full, a FIFO) has nothing
 * to replace atomically: with `force` it is written in place.
 */
export async function writeFileAtomic(path: string, text: string, force: boolean): Promise<void> {
  if (force && (await isSpecialFile(path))) return writeInPlace(path, text)
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`)
  try {
    const fh = await open(tmp, 'wx', 0o600)
    try {
      await fh.writeFile(text)
      await fh.chmod(0o644)
    } finally {
      await fh.close()
    }
    if (force) await rename(tmp, path)
    else await link(tmp, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST' && !force) throw existsError(path)
    throw cannotWrite(path, err)
  } finally {
    await unlink(tmp).catch(() => {})
  }
}

/**
 * Checks, before any work starts, that `path` can be written: without `force` it must not exist
 * (a symlink counts, whatever it points to), and its directory must exist and be writable. The write
 * itself checks again; this only spares a user a long run (or a deploy) whose result is then refused.
 */
export async function checkWritable(path: string, force: boolean, option = '--output'): Promise<void> {
  const existing = await lstat(path).catch(() => undefined)
  if (existing && !force) throw existsError(path)
  if (existing && force && (await isSpecialFile(path))) return
  const dir = dirname(path)
  try {
    if (!(await stat(dir)).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
    await access(dir, constants.W_OK)
  } catch (err) {
    throw new IamtrailError(`${option} ${path}: cannot write in ${dir} (${reason(err)})`, 'environment')
  }
}

/** The refusal both the check and the write give, so a user sees one message. */
export function existsError(path: string): IamtrailError {
  return new IamtrailError(`${path} exists; pass --force to overwrite it`)
}

/**
 * A failed write is the environment's (no space, no permission, a read-only disk), not a bug: a
 * system error becomes a message with the path. Anything else (a failing event source) is passed on.
 */
export function cannotWrite(path: string, err: unknown): unknown {
  if (typeof (err as NodeJS.ErrnoException)?.syscall !== 'string') return err
  return new IamtrailError(`cannot write ${path}: ${reason(err)}`, 'environment', undefined, { cause: err })
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException
  const code = typeof e?.code === 'string' ? e.code : undefined
  const text = code ? (MEANING[code] ?? e.message) : (e?.message ?? String(err))
  return code ? `${text}, ${code}` : text
}

const MEANING: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EDQUOT: 'disk quota exceeded',
  EXDEV: 'not on the same file system',
}

async function isSpecialFile(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => undefined)
  return s !== undefined && !s.isFile() && !s.isDirectory()
}

async function writeInPlace(path: string, text: string): Promise<void> {
  try {
    // No O_CREAT: the device or FIFO is there; nothing is created or replaced.
    const fh = await open(path, constants.O_WRONLY)
    try {
      await fh.writeFile(text)
    } finally {
      await fh.close()
    }
  } catch (err) {
    throw cannotWrite(path, err)
  }
}
