import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { IamtrailError } from '../errors.js'

export interface CommandRun {
  argv: string[]
  exitCode: number
  start: Date
  end: Date
}

/**
 * Runs the recorded command as if typed in the shell: stdio attached, exit code reported the way
 * shells do (128 + signal number when killed). While it runs, Ctrl-C belongs to the command: the
 * terminal sends SIGINT to both, and iamtrail keeps going to record what the command did before it
 * stopped. A SIGTERM (a CI job cancelled) is usually sent to iamtrail alone: it is passed on.
 */
export async function runCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandRun> {
  const [file, ...args] = argv
  if (!file)
    throw new IamtrailError('record needs a command after --, e.g. iamtrail record -- npx cdk deploy')
  const ignore = () => {}
  let forward = () => {}
  const onTerm = () => forward()
  process.on('SIGINT', ignore)
  process.on('SIGTERM', onTerm)
  const start = new Date()
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(file, args, { stdio: 'inherit', env })
      forward = () => child.kill('SIGTERM')
      child.on('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'ENOENT' ? 'command not found' : err.message
        reject(new IamtrailError(`cannot run ${file}: ${why}`, 'user', err.code === 'ENOENT' ? 127 : 126))
      })
      child.on('close', (code, signal) => {
        if (code !== null) resolve(code)
        else resolve(128 + (signal ? (constants.signals[signal] ?? 0) : 0))
      })
    })
    return { argv, exitCode, start, end: new Date() }
  } finally {
    process.off('SIGINT', ignore)
    process.off('SIGTERM', onTerm)
  }
}
