import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readManifest, readRecordingEvents } from '../../src/collect/recording.js'
import { FindingList } from '../../src/findings.js'
import {
  CFN_EXEC_ROLE,
  DEFAULT_FAKE,
  DEPLOY,
  EXPIRED,
  KEY,
  OTHER_SESSION_KEY,
  useFakeAws,
} from '../support/fake-aws-cli.js'
import { cliArgv, runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

/**
 * `record` end to end: the real CLI, a real child process, and CloudTrail + STS served over real
 * HTTP on 127.0.0.1 through AWS_ENDPOINT_URL_CLOUDTRAIL / AWS_ENDPOINT_URL_STS.
 */
const t = useFakeAws()
const BASE_KEY = 'AKIAFAKEBASEUSER0001'
const DEPLOYER_ROLE = 'arn:aws:iam::123456789012:role/deployer'

describe('iamtrail record', () => {
  it('runs the command, passes its exit code through, records its events and prints the policy', async () => {
    const rec = join(t.dir, 'deploy.rec')
    const r = await runCli(
      ['record', '--settle', '1s', '--max-wait', '30s', '--recording', rec, '--', 'node', DEPLOY, '3'],
      { env: t.env() },
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
    const own = t.aws.events.filter((e) => /iamtrail\//.test(e.event.userAgent ?? ''))
    expect(own.length).toBeGreaterThan(3)
    const events = await readRecordingEvents(rec, new FindingList())
    expect(events.map((e) => e.eventName).sort()).toEqual(['CreateLogGroup', 'CreateQueue', 'CreateRole'])
    const lookups = t.aws.requests.filter((q) => q.target === 'LookupEvents')
    expect(lookups.every((q) => q.userAgent.includes('iamtrail/'))).toBe(true)
    expect(lookups[0]?.body.LookupAttributes).toEqual([{ AttributeKey: 'AccessKeyId', AttributeValue: KEY }])
  })

  it('passes a successful exit code through as 0, and prints exactly what `policy` prints for the recording', async () => {
    const rec = join(t.dir, 'ok.rec')
    const r = await runCli(
      [
        'record',
        '-q',
        '--settle',
        '1s',
        '--format',
        'markdown',
        '--recording',
        rec,
        '--',
        'node',
        DEPLOY,
        '0',
      ],
      { env: t.env() },
    )
    expect(r.code).toBe(0)
    const table = r.stdout.slice(r.stdout.indexOf('#'))
    expect(table).toContain('sqs:CreateQueue')
    const again = await runCli(['policy', '-q', '--format', 'markdown', rec])
    expect(table).toBe(again.stdout)
  })

  it('refuses a bad policy option before it runs the deploy', async () => {
    const r = await runCli(['record', '--format', 'xml', '--', 'node', DEPLOY, '0'], { env: t.env() })
    expect(r.code).toBe(1)
    expect(r.stdout).not.toContain('deployed')
    expect(r.stderr).toContain('--format xml')
  })

  it('stops before running anything when the credentials have expired', async () => {
    const r = await runCli(['record', '--settle', '1s', '--', 'node', DEPLOY, '0'], { env: t.env(EXPIRED) })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/credentials have expired/)
    expect(r.stdout).not.toContain('deployed')
  })

  it('when the session expires during the deploy, keeps the exit code and saves a resumable recording', async () => {
    await t.restart({
      identities: { [KEY]: { arn: 'arn:aws:iam::123456789012:user/ci', type: 'IAMUser' } },
      lookupExpiredKeys: [KEY],
    })
    const rec = join(t.dir, 'expired.rec')
    const r = await runCli(['record', '--settle', '1s', '--recording', rec, '--', 'node', DEPLOY, '4'], {
      env: t.env(),
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
      ...t.env(),
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
    const rec = join(t.dir, 'term.rec')
    const child = spawn(
      ...cliArgv(['record', '--settle', '1s', '--recording', rec, '--', 'node', DEPLOY, 'hang']),
      { cwd: REPO_ROOT, env: { ...process.env, ...t.env() } },
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

  it('resolves a role_arn profile once and gives the command those very keys (no second AssumeRole)', async () => {
    await t.restart({
      ...DEFAULT_FAKE,
      identities: {
        ...DEFAULT_FAKE.identities,
        [BASE_KEY]: { arn: 'arn:aws:iam::123456789012:user/dev', type: 'IAMUser' },
      },
    })
    const config = join(t.dir, 'config')
    await writeFile(
      config,
      `[profile dev]\nrole_arn = ${DEPLOYER_ROLE}\nsource_profile = base\nregion = eu-west-1\n[profile base]\naws_access_key_id = ${BASE_KEY}\naws_secret_access_key = s\n`,
    )
    const env = {
      ...t.env(),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: 'dev',
      AWS_CONFIG_FILE: config,
    }
    const rec = join(t.dir, 'role.rec')
    const r = await runCli(['record', '--settle', '1s', '--recording', rec, '--', 'node', DEPLOY, '0'], {
      env,
    })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('role_arn arn:aws:iam::123456789012:role/deployer assumed from profile base')
    expect(t.aws.requests.filter((q) => q.target === 'AssumeRole')).toHaveLength(1)
    const m = await readManifest(rec)
    expect(m.credentials).toMatchObject({ sharing: 'container-endpoint', keys: ['ASIAFAKEASSUMED00001'] })
    expect(m.credentials?.fetches).toBeGreaterThanOrEqual(1)
    expect(m.identities?.roots).toEqual(['ASIAFAKEASSUMED00001'])
    expect(m.counts.events).toBe(3)
    const events = await readRecordingEvents(rec, new FindingList())
    expect(new Set(events.map((e) => e.userIdentity?.accessKeyId))).toEqual(new Set(['ASIAFAKEASSUMED00001']))
  })

  it('a credential_process that mints new keys on every call: run once, and the command signs with the key it served', async () => {
    const minted = ['AKIAMINTEDKEY0000001', 'AKIAMINTEDKEY0000002', 'AKIAMINTEDKEY0000003']
    await t.restart({
      ...DEFAULT_FAKE,
      identities: Object.fromEntries(
        minted.map((k) => [k, { arn: 'arn:aws:iam::123456789012:user/ci', type: 'IAMUser' as const }]),
      ),
    })
    // A helper like a vault or SSO wrapper: each run prints the next key.
    const helper = join(t.dir, 'mint.mjs')
    const counter = join(t.dir, 'count')
    await writeFile(
      helper,
      `import { existsSync, readFileSync, writeFileSync } from 'node:fs'
const n = existsSync(${JSON.stringify(counter)}) ? Number(readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0
writeFileSync(${JSON.stringify(counter)}, String(n + 1))
const keys = ${JSON.stringify(minted)}
process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: keys[n], SecretAccessKey: 's', Expiration: new Date(Date.now() + 3600e3).toISOString() }))
`,
    )
    const config = join(t.dir, 'config')
    await writeFile(config, `[profile minted]\ncredential_process = node ${helper}\nregion = eu-west-1\n`)
    const env = {
      ...t.env(),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_CONFIG_FILE: config,
    }
    const rec = join(t.dir, 'minted.rec')
    const r = await runCli(
      ['record', '--profile', 'minted', '--settle', '1s', '--recording', rec, '--', 'node', DEPLOY, '0'],
      { env },
    )
    expect(r.code, r.stderr).toBe(0)
    const events = await readRecordingEvents(rec, new FindingList())
    const keys = new Set(events.map((e) => e.userIdentity?.accessKeyId))
    expect(keys).toEqual(new Set([minted[0]]))
    // Run once, by iamtrail: the command never ran the helper itself.
    expect(await readFile(counter, 'utf8')).toBe('1')
    expect(events.map((e) => e.eventName).sort()).toEqual(['CreateLogGroup', 'CreateQueue', 'CreateRole'])
    expect(r.stdout).toContain('sqs:CreateQueue')
  })

  it('a CDK-shaped chain over real HTTP: separate policies for the caller, the deploy role and the execution role', async () => {
    const rec = join(t.dir, 'cdk.rec')
    const out = join(t.dir, 'cdk-policies.json')
    const r = await runCli(
      [
        'record',
        '--settle',
        '1s',
        '--regions',
        'eu-west-1',
        '--recording',
        rec,
        '-o',
        out,
        '--',
        'node',
        DEPLOY,
        '0',
        'cdk',
      ],
      { env: t.env() },
    )
    expect(r.code, r.stderr).toBe(0)
    const keyed = JSON.parse(await readFile(out, 'utf8')) as Record<
      string,
      { Statement: { Action: string[]; Resource: string[] }[] }
    >
    const deployRole = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-deploy-role-123456789012-eu-west-1'
    expect(Object.keys(keyed).sort()).toEqual(
      [CFN_EXEC_ROLE, deployRole, 'arn:aws:iam::123456789012:role/deployer'].sort(),
    )
    const actionsOf = (arn: string) => keyed[arn]!.Statement.flatMap((s) => s.Action)
    expect(actionsOf(CFN_EXEC_ROLE)).toEqual(
      expect.arrayContaining(['iam:CreateRole', 'sqs:CreateQueue', 'logs:CreateLogGroup']),
    )
    expect(actionsOf(deployRole)).toEqual(
      expect.arrayContaining(['cloudformation:CreateChangeSet', 'iam:PassRole']),
    )
    expect(actionsOf(deployRole)).not.toContain('sqs:CreateQueue')
    // The deploy role's key came from a real AssumeRole: fresh, never handed out by iamtrail.
    expect(actionsOf('arn:aws:iam::123456789012:role/deployer')).toContain('sts:AssumeRole')
    expect(r.stderr).toContain('--cloudformation-execution-policies')
    const m = await readManifest(rec)
    expect(m.identities?.edges.map((e) => e.how).sort()).toEqual(['assumed', 'passed'])
  })

  it('never narrows a role to one key: --principal <role> records every session of it', async () => {
    const rec = join(t.dir, 'any-session.rec')
    const r = await runCli(
      [
        'record',
        '--settle',
        '1s',
        '--principal',
        DEPLOYER_ROLE,
        '--recording',
        rec,
        '--',
        'node',
        DEPLOY,
        '0',
        'other-session',
      ],
      { env: t.env() },
    )
    expect(r.code).toBe(0)
    const events = await readRecordingEvents(rec, new FindingList())
    // The fixture makes its calls with a key iamtrail never handed out: another session of the role.
    expect(new Set(events.map((e) => e.userIdentity?.accessKeyId))).toEqual(new Set([OTHER_SESSION_KEY]))
    const lookups = t.aws.requests.filter((q) => q.target === 'LookupEvents')
    expect(lookups.every((q) => q.body.LookupAttributes === undefined)).toBe(true)
  })

  it('an empty recording exits non-zero and says what it looked for and why it may be empty', async () => {
    const rec = join(t.dir, 'empty.rec')
    const r = await runCli(
      [
        'record',
        '--settle',
        '1s',
        '--max-wait',
        '2s',
        '--recording',
        rec,
        '--',
        'node',
        '-e',
        'process.exit(0)',
      ],
      { env: t.env() },
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('the recording is empty')
    expect(r.stderr).toContain(`looked for:  access key(s) ${KEY}`)
    expect(r.stderr).toContain('credentials: access keys in environment variables')
    expect(r.stderr).toContain('the command never fetched the shared credentials')
    expect(r.stdout).not.toContain('{')
  })

  it('says when the command cannot be run', async () => {
    const r = await runCli(['record', '--settle', '1s', '--', 'no-such-command-xyz'], { env: t.env() })
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('cannot run no-such-command-xyz: command not found')
  })
})
