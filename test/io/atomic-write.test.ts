import { spawn } from 'node:child_process'
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { writeRecording } from '../../src/collect/recording.js'
import { writeFileAtomic } from '../../src/io/atomic-write.js'
import { type CliResult, cliArgv, runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

const EXAMPLE = join(REPO_ROOT, 'examples', 'cfn-lambda-deploy.rec')
const ROLE = 'arn:aws:iam::123456789012:role/deployer'
const VICTIM = 'the victim file: nothing iamtrail writes may land here\n'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-atomic-'))
})
afterEach(async () => {
  vi.restoreAllMocks()
  await rm(dir, { recursive: true, force: true })
})

/**
 * Starts `policy -` and calls `whilePending(pid)` before any event reaches it: the CLI cannot write
 * before its stdin ends, so a file planted then is in place when it writes.
 */
function policyFromStdin(args: string[], whilePending: (pid: number) => Promise<void>): Promise<CliResult> {
  const [command, argv] = cliArgv(['policy', '-', '--principal', ROLE, '-q', ...args])
  const child = spawn(command, argv, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  return (async () => {
    await whilePending(child.pid!)
    child.stdin.end(gunzipSync(await readFile(join(EXAMPLE, 'events.ndjson.gz'))))
    return done
  })()
}

describe('the atomic write never follows a planted symlink (issue 16.3)', () => {
  it('a symlink at the old predictable temp name (.NAME.PID.tmp) leaves its target untouched', async () => {
    const victim = join(dir, 'victim.txt')
    await writeFile(victim, VICTIM)
    const out = join(dir, 'policy.json')
    const r = await policyFromStdin(['-o', out], async (pid) => {
      await symlink(victim, join(dir, `.policy.json.${pid}.tmp`))
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(await readFile(victim, 'utf8')).toBe(VICTIM)
    expect(JSON.parse(await readFile(out, 'utf8')).Version).toBe('2012-10-17')
    expect((await lstat(out)).isFile()).toBe(true)
  })

  it('a symlink AS the output is refused without --force, and its target stays as it was', async () => {
    const victim = join(dir, 'victim.txt')
    await writeFile(victim, VICTIM)
    const out = join(dir, 'policy.json')
    await symlink(victim, out)
    const r = await runCli(['policy', EXAMPLE, '-o', out, '-q'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${out} exists; pass --force`)
    expect(await readFile(victim, 'utf8')).toBe(VICTIM)
    expect((await lstat(out)).isSymbolicLink()).toBe(true)
  })

  it('a dangling symlink as the output is refused as well: it would otherwise be created through', async () => {
    const victim = join(dir, 'not-yet.txt')
    const out = join(dir, 'policy.json')
    await symlink(victim, out)
    const r = await runCli(['policy', EXAMPLE, '-o', out, '-q'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('exists; pass --force')
    await expect(stat(victim)).rejects.toThrow()
  })

  it('with --force the symlink itself is replaced by the file, never what it points to', async () => {
    const victim = join(dir, 'victim.txt')
    await writeFile(victim, VICTIM)
    const out = join(dir, 'policy.json')
    await symlink(victim, out)
    await writeFileAtomic(out, '{"new":true}\n', true)
    expect(await readFile(victim, 'utf8')).toBe(VICTIM)
    expect((await lstat(out)).isFile()).toBe(true)
    expect(await readFile(out, 'utf8')).toBe('{"new":true}\n')
  })

  it('the published file is 0644 and no temporary file is left behind', async () => {
    const out = join(dir, 'out.json')
    await writeFileAtomic(out, 'x\n', false)
    expect((await stat(out)).mode & 0o777).toBe(0o644)
    expect(await readdir(dir)).toEqual(['out.json'])
    await expect(writeFileAtomic(out, 'y\n', false)).rejects.toThrow(/exists; pass --force/)
    expect(await readFile(out, 'utf8')).toBe('x\n')
    expect(await readdir(dir)).toEqual(['out.json'])
  })

  it('the recording writer makes its temporary directory with mkdtemp: a planted symlink to a directory gets nothing', async () => {
    const victimDir = join(dir, 'victim')
    await mkdir(victimDir)
    // The old name was .NAME.tmp-PID-<Date.now()>: with the clock known, it was known.
    const now = 1_790_000_000_000
    vi.spyOn(Date, 'now').mockReturnValue(now)
    await symlink(victimDir, join(dir, `.deploy.rec.tmp-${process.pid}-${now}`))
    const manifest = JSON.parse(await readFile(join(EXAMPLE, 'manifest.json'), 'utf8'))
    const rec = join(dir, 'deploy.rec')
    await writeRecording(rec, manifest, [])
    expect(await readdir(victimDir)).toEqual([])
    expect((await lstat(rec)).isDirectory()).toBe(true)
    expect((await stat(rec)).mode & 0o777).toBe(0o755)
    expect((await readdir(rec)).sort()).toEqual(['events.ndjson.gz', 'manifest.json'])
  })

  it('the recording writer refuses a symlink at the recording path without force', async () => {
    const rec = join(dir, 'deploy.rec')
    await symlink(join(dir, 'elsewhere'), rec)
    const manifest = JSON.parse(await readFile(join(EXAMPLE, 'manifest.json'), 'utf8'))
    await expect(writeRecording(rec, manifest, [])).rejects.toThrow(/exists; pass --force/)
    expect((await lstat(rec)).isSymbolicLink()).toBe(true)
  })
})
