import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readManifest, readRecordingEvents } from '../../src/collect/recording.js'
import { FindingList } from '../../src/findings.js'
import { KEY, useFakeAws } from '../support/fake-aws-cli.js'
import { maxInWindow } from '../support/fake-cloudtrail.js'
import { cliArgv, runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/** `collect --source lookup` end to end, against CloudTrail served over real HTTP on 127.0.0.1. */
const t = useFakeAws()

describe('iamtrail collect', () => {
  it('collects a window into a recording, refuses to overwrite it, and resumes it', async () => {
    await fetch(`${t.aws.url}/__emit`, {
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
    const out = join(t.dir, 'c.rec')
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
    const r = await runCli(args, { env: t.env() })
    expect(r.stderr).toContain('complete')
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(out)
    expect((await readManifest(out)).counts.events).toBe(1)

    const again = await runCli(args, { env: t.env() })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('exists; pass --force')

    const lookupsBefore = t.aws.requests.filter((q) => q.target === 'LookupEvents').length
    // resuming a complete recording asks again, adds no duplicate, keeps window, principal and name
    const resumed = await runCli(['collect', '--resume', out, '--settle', '1s', '-f', 'json'], {
      env: t.env(),
    })
    expect(resumed.code).toBe(0)
    const m = JSON.parse(resumed.stdout) as { counts: { events: number }; window: { end: string } }
    expect(m.window.end).toBe(new Date(end).toISOString())
    expect(m.counts.events).toBe(1)
    expect(t.aws.requests.filter((q) => q.target === 'LookupEvents').length).toBeGreaterThan(lookupsBefore)
    expect(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).counts.events).toBe(1)
  })

  it('Ctrl-C while waiting saves a resumable recording; --resume tops it up', async () => {
    const emit = (eventName: string) =>
      fetch(`${t.aws.url}/__emit`, {
        method: 'POST',
        body: JSON.stringify({
          accessKeyId: KEY,
          region: 'eu-west-1',
          eventSource: 'sqs.amazonaws.com',
          eventName,
        }),
      })
    await emit('CreateQueue')
    const out = join(t.dir, 'i.rec')
    const start = new Date(Date.now() - 60_000).toISOString()
    const end = new Date(Date.now() + 2000).toISOString()
    const child = spawn(
      ...cliArgv([
        'collect',
        '--access-key-id',
        KEY,
        '--start',
        start,
        '--end',
        end,
        '--regions',
        'eu-west-1',
        '--settle',
        '5s',
        '-o',
        out,
      ]),
      { cwd: REPO_ROOT, env: { ...process.env, ...t.env() } },
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
    await new Promise((r) => setTimeout(r, 600)) // its delivery delay
    const resumed = await runCli(['collect', '--resume', out, '--settle', '1s', '-f', 'json'], {
      env: t.env(),
    })
    expect(resumed.code).toBe(0)
    const m2 = JSON.parse(resumed.stdout) as { counts: { events: number }; settle: { outcome: string } }
    expect(m2.settle.outcome).toBe('complete')
    expect(m2.counts.events).toBe(2)
    const events = await readRecordingEvents(out, new FindingList())
    expect(events.map((e) => e.eventName).sort()).toEqual(['CreateQueue', 'DeleteQueue'])
  })

  it('keeps every region at 2 requests/s on the wire, SDK retries of throttled requests included', async () => {
    await t.restart({
      identities: { [KEY]: { arn: 'arn:aws:iam::123456789012:user/ci', type: 'IAMUser' } },
      throttleFirst: 4,
    })
    for (let i = 0; i < 160; i++) {
      await fetch(`${t.aws.url}/__emit`, {
        method: 'POST',
        body: JSON.stringify({
          accessKeyId: KEY,
          region: 'eu-west-1',
          eventSource: 'sqs.amazonaws.com',
          eventName: 'SendMessage',
        }),
      })
    }
    const out = join(t.dir, 't.rec')
    const r = await runCli(
      [
        'collect',
        '--principal',
        'arn:aws:iam::123456789012:user/ci',
        '--start',
        new Date(Date.now() - 60_000).toISOString(),
      ].concat(['--end', new Date().toISOString(), '--regions', 'eu-west-1', '--settle', '1s', '-o', out]),
      { env: t.env() },
    )
    expect(r.code).toBe(0)
    expect((await readManifest(out)).counts.events).toBe(160)
    const lookups = t.aws.requests.filter((q) => q.target === 'LookupEvents')
    expect(lookups.length).toBeGreaterThanOrEqual(4 + 4 + 1) // 4 throttled, 4 pages, 1 in us-east-1
    for (const region of ['eu-west-1', 'us-east-1']) {
      expect(maxInWindow(lookups.filter((q) => q.body.region === region))).toBeLessThanOrEqual(2)
    }
  })

  it('rejects an unknown --source and lists the known ones', async () => {
    const r = await runCli(
      ['collect', '--source', 'nope', '--principal', 'arn:aws:iam::123456789012:user/ci'],
      {
        env: t.env(),
      },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--source "nope": choose one of lookup')
  })
})
