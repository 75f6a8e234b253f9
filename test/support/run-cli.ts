import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './shared-data.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx')
const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts')

/** Spawns the real CLI, as a user would run it, optionally feeding stdin. */
export function runCli(
  args: string[],
  opts: { stdin?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [MAIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin)
    else child.stdin.end()
  })
}
