import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noCredentialsEnv } from '../support/no-credentials.js'
import { type CliResult, cliArgv, runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

const EXAMPLE = join(REPO_ROOT, 'examples', 'cfn-lambda-deploy.rec')
const ROLE = 'arn:aws:iam::123456789012:role/deployer'
const SDK_SETTING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'

let dir: string
let policy: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-exit-'))
  policy = join(dir, 'granted.json')
  await writeFile(policy, JSON.stringify({ Version: '2012-10-17', Statement: [] }))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** No credentials anywhere, and the SDK's Node-version notice as a user on Node 20 would get it. */
const noCredentials = (): NodeJS.ProcessEnv => ({ ...noCredentialsEnv(dir), [SDK_SETTING]: undefined })

/** /dev/full, or as root a node of the same device of the test's own, which nothing else uses. */
async function fullDevice(): Promise<string> {
  if (process.getuid?.() !== 0) return '/dev/full'
  const node = join(dir, 'full')
  execFileSync('mknod', ['-m', '666', node, 'c', '1', '7'])
  return node
}

/** An environment failure is exit 1 with a message, never 70 "internal error". */
function expectEnvironmentFailure(r: CliResult, message: RegExp): void {
  expect(r.stderr).not.toContain('internal error')
  expect(r.stderr).toMatch(message)
  expect(r.code).toBe(1)
}

describe('exit codes mean what they say (issue 16.13)', () => {
  it('an --output directory that cannot be written: exit 1 naming it', async () => {
    const file = join(dir, 'a-file')
    await writeFile(file, '')
    const r = await runCli(['policy', EXAMPLE, '-q', '-o', join(file, 'policy.json')])
    expectEnvironmentFailure(r, /cannot write in .*a-file \(not a directory, ENOTDIR\)/)
  })

  it.skipIf(process.getuid?.() === 0)('a read-only --output directory: exit 1 (EACCES)', async () => {
    const ro = join(dir, 'read-only')
    await mkdir(ro)
    await chmod(ro, 0o555)
    const r = await runCli(['policy', EXAMPLE, '-q', '-o', join(ro, 'policy.json')])
    expectEnvironmentFailure(r, /cannot write in .*read-only \(permission denied, EACCES\)/)
  })

  it.skipIf(!existsSync('/dev/full'))(
    '--output /dev/full: refused without --force, ENOSPC with it; the device stays',
    async () => {
      // As root a wrong --force would rename over the machine's /dev/full: root tests a private node.
      const full = await fullDevice()
      expectEnvironmentFailure(await runCli(['policy', EXAMPLE, '-q', '-o', full]), /exists; pass --force/)
      const r = await runCli(['policy', EXAMPLE, '-q', '-o', full, '--force'])
      expectEnvironmentFailure(r, /cannot write .*full: no space left on the device, ENOSPC/)
      expect((await stat(full)).isCharacterDevice()).toBe(true)
    },
  )

  it.skipIf(!existsSync('/dev/full'))('stdout on a full device: exit 1, not a crash', async () => {
    const full = await open('/dev/full', 'w')
    try {
      const [command, argv] = cliArgv(['policy', EXAMPLE, '-q'])
      const child = spawn(command, argv, { cwd: REPO_ROOT, stdio: ['ignore', full.fd, 'pipe'] })
      let stderr = ''
      child.stderr!.on('data', (d) => {
        stderr += d
      })
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expectEnvironmentFailure({ code, stdout: '', stderr }, /cannot write to stdout: ENOSPC/)
    } finally {
      await full.close()
    }
  })

  it('missing credentials: exit 1 saying so (creep --all-roles, diff --granted <role ARN>)', async () => {
    const env = noCredentials()
    const creep = await runCli(['creep', '--all-roles', EXAMPLE, '-q'], { env })
    expectEnvironmentFailure(creep, /no AWS credentials were found/)
    const diff = await runCli(['diff', '--granted', ROLE, EXAMPLE, '-q'], { env })
    expectEnvironmentFailure(diff, /no AWS credentials were found/)
  })

  it('creep --all-roles --granted <a policy, not authorization details> fails clearly, never asks the live account', async () => {
    const r = await runCli(['creep', '--all-roles', '--granted', policy, EXAMPLE, '-q'], {
      env: noCredentials(),
    })
    expect(r.stderr).toMatch(
      /--all-roles --granted .*granted\.json: not get-account-authorization-details output/,
    )
    expect(r.stderr).not.toMatch(/credentials|ListRoles failed/)
    expect(r.code).toBe(1)
    const missing = await runCli(
      ['creep', '--all-roles', '--granted', join(dir, 'nope.json'), EXAMPLE, '-q'],
      {
        env: noCredentials(),
      },
    )
    expect(missing.stderr).toMatch(/nope\.json: no such file/)
    expect(missing.code).toBe(1)
  })

  it.skipIf(availableParallelism() >= 64)('--jobs above the cores is capped, with a note', async () => {
    const cores = availableParallelism()
    const r = await runCli(['policy', EXAMPLE, '--jobs', '64'])
    expect(r.stderr).toContain(`--jobs 64 is more than the ${cores} available cores; using ${cores}`)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).Version).toBe('2012-10-17')
  })

  it('--window 0d is rejected, and a bad --window names days', async () => {
    const base = ['creep', '--principal', ROLE, '--granted', policy, EXAMPLE, '-q']
    const zero = await runCli([...base, '--window', '0d'])
    expect(zero.stderr).toMatch(/--window 0d: .*longer than 0 \(e\.g\. 30d\)/)
    expect(zero.code).toBe(1)
    const bad = await runCli([...base, '--window', '3x'])
    expect(bad.stderr).toMatch(/--window "3x" is not a duration \(e\.g\. 30d/)
    expect(bad.code).toBe(1)
  })
})
