import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { noCredentialsEnv } from '../support/no-credentials.js'
import { type CliResult, cliArgv, runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

const ROLE = 'arn:aws:iam::123456789012:role/deployer'
const KEEP = 'a file the user keeps\n'

let dir: string
let existing: string
let policy: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-before-run-'))
  existing = join(dir, 'existing.out')
  await writeFile(existing, KEEP)
  policy = join(dir, 'granted.json')
  await writeFile(policy, JSON.stringify({ Version: '2012-10-17', Statement: [] }))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** No credentials from anywhere: a command that got as far as AWS would fail on them instead. */
const noCredentials = (): NodeJS.ProcessEnv => ({ ...noCredentialsEnv(dir) })

/**
 * Runs the CLI with stdin left open: a command that starts reading its input (`-`) before it
 * checks --output waits forever, and is killed after `ms`.
 */
function withOpenStdin(args: string[], ms = 15_000): Promise<CliResult> {
  const [command, argv] = cliArgv(args)
  const child = spawn(command, argv, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), ms)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

function expectRefused(r: CliResult, path = existing): void {
  expect(r.stderr).toContain(`${path} exists; pass --force`)
  expect(r.code).toBe(1)
}

describe('--output that exists without --force is refused before the run (issue 16, first use)', () => {
  it('policy: before reading its input', async () => {
    expectRefused(await withOpenStdin(['policy', '-', '--principal', ROLE, '-o', existing]))
    expect(await readFile(existing, 'utf8')).toBe(KEEP)
  })

  it('diff: before reading its input', async () => {
    expectRefused(
      await withOpenStdin(['diff', '--granted', policy, '-', '--principal', ROLE, '-o', existing]),
    )
    expect(await readFile(existing, 'utf8')).toBe(KEEP)
  })

  it('creep: before reading its input', async () => {
    expectRefused(
      await withOpenStdin(['creep', '--principal', ROLE, '--granted', policy, '-', '-o', existing]),
    )
    expect(await readFile(existing, 'utf8')).toBe(KEEP)
  })

  it('an --output whose directory does not exist is refused before the run as well', async () => {
    const out = join(dir, 'no-such-dir', 'policy.json')
    const r = await withOpenStdin(['policy', '-', '--principal', ROLE, '-o', out])
    expect(r.stderr).toContain(`--output ${out}: cannot write in ${join(dir, 'no-such-dir')}`)
    expect(r.code).toBe(1)
  })

  it('record: before resolving credentials or running the command (-o and --recording)', async () => {
    const marker = join(dir, 'the-deploy-ran')
    const deploy = [
      '--',
      process.execPath,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(marker)}, '1')`,
    ]
    const env = noCredentials()
    expectRefused(await runCli(['record', '-q', '-o', existing, ...deploy], { env }))
    const rec = join(dir, 'deploy.rec')
    await mkdir(rec)
    expectRefused(await runCli(['record', '-q', '--recording', rec, ...deploy], { env }), rec)
    await expect(stat(marker)).rejects.toThrow()
  })

  it('collect: before asking CloudTrail', async () => {
    const rec = join(dir, 'collect.rec')
    await mkdir(rec)
    const r = await runCli(
      [
        'collect',
        '--principal',
        ROLE,
        '--start',
        new Date(Date.now() - 3_600_000).toISOString(),
        '-o',
        rec,
        '-q',
      ],
      { env: noCredentials() },
    )
    expectRefused(r, rec)
    expect(r.stderr).not.toMatch(/credentials|LookupEvents/)
  })
})
