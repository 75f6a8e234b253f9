import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { BUILT_CLI_DIR } from './run-cli.js'
import { REPO_ROOT } from './shared-data.js'

/**
 * Vitest global setup: the CLI is compiled once per run, as `npm run build` compiles it for users,
 * and every test spawns the compiled `main.js` with node. Spawning through tsx cost ~1.5 s of
 * transpiling per call (most of the suite's time); the compiled CLI is also what `npx iamtrail` runs.
 */
export default function setup(): void {
  rmSync(BUILT_CLI_DIR, { recursive: true, force: true })
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILT_CLI_DIR, '--declaration', 'false'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  )
  if (r.status !== 0) throw new Error(`building the CLI for the tests failed:\n${r.stdout}${r.stderr}`)
}
