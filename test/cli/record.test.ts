import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readManifest, readRecordingEvents } from '../../src/collect/recording.js'
import { FindingList } from '../../src/findings.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws-server.js'
import { maxInWindow } from '../support/fake-cloudtrail.js'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/**
 * `record` and `collect` end to end: the real CLI, a real child process, and CloudTrail + STS
 * served over real HTTP on 127.0.0.1 through AWS_ENDPOINT_URL_CLOUDTRAIL / AWS_ENDPOINT_URL_STS.
 */
const KEY = 'ASIAFAKEDEPLOYER0001'
const EXPIRED = 'ASIAFAKEEXPIRED00001'
const DEPLOY = join(REPO_ROOT, 'test', 'cli', 'fixtures', 'fake-deploy.mjs')

let aws: FakeAws
let dir: string

beforeEach(async () => {
  aws = await startFakeAws({
    identities: {
      [KEY]: {
        arn: 'arn:aws:sts::123456789012:assumed-role/deployer/ci-run',
        type: 'AssumedRole',
        roleArn: 'arn:aws:iam::123456789012:role/deployer',
      },
    },
    expiredKeys: [EXPIRED],
    deliveryDelayMs: 1200,
  })
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-record-'))
})
afterEach(async () => {
  await aws.close()
  await rm(dir, { recursive: true, force: true })
})

function env(accessKeyId = KEY): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_SESSION_TOKEN: 'fake-token',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDTRAIL: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // never ask an instance metadata service: the tests talk to 127.0.0.1 only
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
  }
}

describe('iamtrail record', () => {
  it('runs the command, passes its exit code through, records its events and prints the policy', async () => {
    const rec = join(dir, 'deploy.rec')
    const r = await runCli(
      ['record', '--settle', '2s', '--max-wait', '30s', '--recording', rec, '--', 'node', DEPLOY, '3'],
      { env: env() },
    )
    expect(r.stderr).toContain('command exited with 3')
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('deployed') // the child's own stdout, inherited
    const policy = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
      Statement: { Action: string[] }[]
    }
    const actions = policy.Statement.flatMap((s) => s.Action).sort()
    expect(actions).toEqual(['iam:CreateRole', 'logs:CreateLogGroup', 'sqs:CreateQueue'])

    const m = await readManifest(rec)
    expect(m.command).toEqual({ argv: ['node', DEPLOY, '3'], exitCode: 3 })
    expect(m.principal).toBe('arn:aws:sts::123456789012:assumed-role/deployer/ci-run')
    expect(m.settle.outcome).toBe('complete')
    expect(m.counts).toEqual({ events: 3, perRegion: { 'eu-west-1': 2, 'us-east-1': 1 } })
    expect(m.regions).toEqual(['eu-west-1', 'us-east-1'])

    // iamtrail's own GetCallerIdentity and LookupEvents calls are logged by the fake CloudTrail under
    // the same access key, carry the user-agent marker, and stay out of the recording.
    const own = aws.events.filter((e) => /iamtrail\//.test(e.event.userAgent ?? ''))
    expect(own.length).toBeGreaterThan(3)
    const events = await readRecordingEvents(rec, new FindingList())
    expect(events.map((e) => e.eventName).sort()).toEqual(['CreateLogGroup', 'CreateQueue', 'CreateRole'])
    const lookups = aws.requests.filter((q) => q.target === 'LookupEvents')
    expect(lookups.every((q) => q.userAgent.includes('iamtrail/'))).toBe(true)
    expect(lookups[0]?.body.LookupAttributes).toEqual([{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }])
  })

  it('passes a successful exit code through as 0', async () => {
    const r = await runCli(
      ['record', '-q', '--settle', '1s', '--recording', join(dir, 'ok.rec'), '--', 'node', DEPLOY, '0'],
      { env: env() },
    )
    expect(r.code).toBe(0)
  })

  it('stops before running anything when the credentials have expired', async () => {
    const r = await runCli(['record', '--settle', '1s', '--', 'node', DEPLOY, '0'], { env: env(EXPIRED) })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/credentials have expired/)
    expect(r.stdout).not.toContain('deployed')
  })

  it('when the session expires during the deploy, keeps the exit code and saves a resumable recording', async () => {
    await aws.close()
    aws = await startFakeAws({
      identities: { [KEY]: { arn: 'arn:aws:iam::123456789012:user/ci', type: 'IAMUser' } },
      lookupExpiredKeys: [KEY],
    })
    const rec = join(dir, 'expired.rec')
    const r = await runCli(['record', '--settle', '1s', '--recording', rec, '--', 'node', DEPLOY, '4'], {
      env: env(),
    })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/credentials have expired/)
    expect(r.stderr).toContain(`iamtrail collect --resume ${rec}`)
    const m = await readManifest(rec)
    expect(m.settle).toMatchObject({ outcome: 'possibly incomplete', reason: 'fatal' })
    expect(m.command?.exitCode).toBe(4)
  })

  it('says so when there are no credentials at all', async () => {
    const noCredentials = {
      ...env(),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
    }
    const r = await runCli(['record', '--', 'node', DEPLOY, '0'], { env: noCredentials })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no AWS credentials were found.*--profile/)
    expect(r.stdout).not.toContain('deployed')
  })

  it('passes a SIGTERM on to the command and reports its signal exit code, still recording', async () => {
    const rec = join(dir, 'term.rec')
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'record', '--settle', '3s', '--recording', rec].concat([
        '--',
        'node',
        DEPLOY,
        'hang',
      ]),
      { cwd: REPO_ROOT, env: { ...process.env, ...env() } },
    )
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => String(d).includes('deployed') && resolve()),
    )
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    const m = await readManifest(rec)
    expect(m.command?.exitCode).toBe(143)
    expect(m.counts.events).toBe(3)
  })

  it('says when the command cannot be run', async () => {
    const r = await runCli(['record', '--settle', '1s', '--', 'no-such-command-xyz'], { env: env() })
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('cannot run no-such-command-xyz: command not found')
  })
})

describe('iamtrail collect', () => {
  it('collects a window into a recording, refuses to overwrite it, and resumes it', async () => {
    await fetch(`${aws.url}/__emit`, {
      method: 'POST',
      body: JSON.stringify({
        accessKeyId: KEY,
        region: 'eu-west-1',
        eventSource: 'sqs.amazonaws.com',
        eventName: 'CreateQueue',
      }),
    })
    const start = new Date(Date.now() - 60_000).toISOString()
    const end = new Date(Date.now() + 1000).toISOString()
    const out = join(dir, 'c.rec')
    const args = [
      'collect',
      '--source',
      'lookup',
      '--principal',
      'arn:aws:iam::123456789012:role/deployer',
      '--start',
      start,
      '--end',
      end,
      '--regions',
      'eu-west-1',
      '--settle',
      '2s',
      '-o',
      out,
    ]
    const r = await runCli(args, { env: env() })
    expect(r.stderr).toContain('complete')
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(out)
    expect((await readManifest(out)).counts.events).toBe(1)

    const again = await runCli(args, { env: env() })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('exists; pass --force')

    await fetch(`${aws.url}/__emit`, {
      method: 'POST',
      body: JSON.stringify({
        accessKeyId: KEY,
        region: 'eu-west-1',
        eventSource: 'logs.amazonaws.com',
        eventName: 'CreateLogGroup',
      }),
    })
    // an event delivered after the window closed is not in it; the resumed recording keeps its window
    const resumed = await runCli(['collect', '--resume', out, '--settle', '2s', '-f', 'json'], { env: env() })
    expect(resumed.code).toBe(0)
    const m = JSON.parse(resumed.stdout) as { counts: { events: number }; window: { end: string } }
    expect(m.window.end).toBe(new Date(end).toISOString())
    expect(m.counts.events).toBe(1)
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).counts.events).toBe(1)
  })

  it('Ctrl-C while waiting saves a resumable recording; --resume tops it up', async () => {
    const emit = (eventName: string) =>
      fetch(`${aws.url}/__emit`, {
        method: 'POST',
        body: JSON.stringify({
          accessKeyId: KEY,
          region: 'eu-west-1',
          eventSource: 'sqs.amazonaws.com',
          eventName,
        }),
      })
    await emit('CreateQueue')
    const out = join(dir, 'i.rec')
    const start = new Date(Date.now() - 60_000).toISOString()
    const end = new Date(Date.now() + 2000).toISOString()
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      [
        join(REPO_ROOT, 'src', 'cli', 'main.ts'),
        'collect',
        '--access-key-id',
        KEY,
        '--start',
        start,
        '--end',
        end,
      ].concat(['--regions', 'eu-west-1', '--settle', '10s', '-o', out]),
      { cwd: REPO_ROOT, env: { ...process.env, ...env() } },
    )
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d
        if (/poll \d+: 1 events/.test(stderr)) resolve()
      }),
    )
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toContain('interrupted; saving what was collected')
    const m1 = await readManifest(out)
    expect(m1.settle).toMatchObject({ outcome: 'possibly incomplete', reason: 'interrupted' })
    expect(m1.counts.events).toBe(1)

    await emit('DeleteQueue')
    await new Promise((r) => setTimeout(r, 1500)) // its delivery delay
    const resumed = await runCli(['collect', '--resume', out, '--settle', '1s', '-f', 'json'], { env: env() })
    expect(resumed.code).toBe(0)
    const m2 = JSON.parse(resumed.stdout) as { counts: { events: number }; settle: { outcome: string } }
    expect(m2.settle.outcome).toBe('complete')
    expect(m2.counts.events).toBe(2)
    const events = await readRecordingEvents(out, new FindingList())
    expect(events.map((e) => e.eventName).sort()).toEqual(['CreateQueue', 'DeleteQueue'])
  })

  it('keeps every region at 2 requests/s on the wire, SDK retries of throttled requests included', async () => {
    await aws.close()
    aws = await startFakeAws({
      identities: { [KEY]: { arn: 'arn:aws:iam::123456789012:user/ci', type: 'IAMUser' } },
      throttleFirst: 4,
    })
    for (let i = 0; i < 160; i++) {
      await fetch(`${aws.url}/__emit`, {
        method: 'POST',
        body: JSON.stringify({
          accessKeyId: KEY,
          region: 'eu-west-1',
          eventSource: 'sqs.amazonaws.com',
          eventName: 'SendMessage',
        }),
      })
    }
    const out = join(dir, 't.rec')
    const r = await runCli(
      [
        'collect',
        '--principal',
        'arn:aws:iam::123456789012:user/ci',
        '--start',
        new Date(Date.now() - 60_000).toISOString(),
      ].concat(['--end', new Date().toISOString(), '--regions', 'eu-west-1', '--settle', '1s', '-o', out]),
      { env: env() },
    )
    expect(r.code).toBe(0)
    expect((await readManifest(out)).counts.events).toBe(160)
    const lookups = aws.requests.filter((q) => q.target === 'LookupEvents')
    expect(lookups.length).toBeGreaterThanOrEqual(4 + 4 + 1) // 4 throttled, 4 pages, 1 in us-east-1
    for (const region of ['eu-west-1', 'us-east-1']) {
      expect(maxInWindow(lookups.filter((q) => q.body.region === region))).toBeLessThanOrEqual(2)
    }
  })

  it('rejects an unknown --source and lists the known ones', async () => {
    const r = await runCli(
      ['collect', '--source', 'nope', '--principal', 'arn:aws:iam::123456789012:user/ci'],
      {
        env: env(),
      },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--source "nope": choose one of lookup')
  })
})
