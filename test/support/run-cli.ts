import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './shared-data.js'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Where test/support/build-cli.ts compiles the CLI once per run (gitignored), beside `dist/`. */
export const BUILT_CLI_DIR = join(REPO_ROOT, '.test-dist')

/** The command line that runs the CLI with `args`: node on the compiled `main.js`, as `npx iamtrail`. */
export function cliArgv(args: readonly string[]): [string, string[]] {
  return [process.execPath, [join(BUILT_CLI_DIR, 'cli', 'main.js'), ...args]]
}

/** Spawns the real CLI, as a user would run it, optionally feeding stdin. */
export function runCli(
  args: string[],
  opts: { stdin?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = cliArgv(args)
    const child = spawn(command, argv, {
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
