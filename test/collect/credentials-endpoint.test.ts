import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeCredentialSource, readProfile } from '../../src/aws/aws-config-files.js'
import {
  type Credentials,
  childEnvironment,
  REFRESH_BEFORE_MS,
  serveCredentials,
} from '../../src/collect/credentials-endpoint.js'
import { DEPLOYER_SESSION, KEY } from '../support/fake-aws-cli.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws-server.js'
import { REPO_ROOT } from '../support/shared-data.js'

const run = promisify(execFile)
const MIN = 60_000

/** A child that resolves credentials with the real AWS SDK v3 default chain, as a deploy tool does. */
const SDK_CHILD = `
import { STSClient } from '@aws-sdk/client-sts'
const c = await new STSClient({ region: 'eu-west-1' }).config.credentials()
process.stdout.write(JSON.stringify({ accessKeyId: c.accessKeyId, sessionToken: c.sessionToken, expiration: c.expiration }))
`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iamtrail-creds-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function provider(list: Credentials[]) {
  const calls: { forceRefresh?: boolean }[] = []
  let i = 0
  const p = async (o?: { forceRefresh?: boolean }) => {
    calls.push(o ?? {})
    const c = list[Math.min(i, list.length - 1)] as Credentials
    i++
    return c
  }
  return { p, calls }
}

const noProfile = { name: 'default', values: {}, lines: [] }

/** The parent environment of a user with credentials of their own, which the child must not see. */
const parentEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  AWS_PROFILE: 'dev',
  AWS_ACCESS_KEY_ID: 'AKIAUSERSOWNKEY00001',
  AWS_SECRET_ACCESS_KEY: 'own-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...extra,
})

describe('the loopback container-credentials endpoint', () => {
  it('gives an AWS SDK v3 client in a child process exactly the keys iamtrail resolved', async () => {
    const expiration = new Date(Date.now() + 60 * MIN)
    const { p, calls } = provider([
      { accessKeyId: 'ASIASHARED0000000001', secretAccessKey: 's', sessionToken: 't1', expiration },
    ])
    const endpoint = await serveCredentials(p)
    const child = await childEnvironment(parentEnv(), endpoint, noProfile)
    try {
      expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/iamtrail\/credentials$/)
      expect(child.env.AWS_PROFILE).toBeUndefined()
      expect(child.env.AWS_ACCESS_KEY_ID).toBeUndefined()
      const out = await run(process.execPath, ['--input-type=module', '-e', SDK_CHILD], {
        cwd: REPO_ROOT,
        env: child.env,
      })
      const got = JSON.parse(out.stdout) as { accessKeyId: string; sessionToken: string; expiration: string }
      expect(got.accessKeyId).toBe('ASIASHARED0000000001')
      expect(got.sessionToken).toBe('t1')
      expect(new Date(got.expiration).getTime()).toBe(expiration.getTime())
      expect(endpoint.fetches).toBe(1)
      expect(endpoint.keys).toEqual(['ASIASHARED0000000001'])
      expect(calls).toHaveLength(1) // resolved once, at start
    } finally {
      await endpoint.close()
      await child.dispose()
    }
  })

  it('refuses a request without the token', async () => {
    const { p } = provider([{ accessKeyId: 'AKIASTATIC0000000001', secretAccessKey: 's' }])
    const endpoint = await serveCredentials(p)
    try {
      const none = await fetch(endpoint.url)
      expect(none.status).toBe(403)
      const wrong = await fetch(endpoint.url, { headers: { authorization: `${endpoint.token}x` } })
      expect(wrong.status).toBe(403)
      const right = await fetch(endpoint.url, { headers: { authorization: endpoint.token } })
      const body = (await right.json()) as Record<string, string>
      // Long-term keys: no session token, and an expiry the clients come back at.
      expect(body).toMatchObject({ AccessKeyId: 'AKIASTATIC0000000001', Token: '' })
      expect(Date.parse(body.Expiration ?? '')).toBeGreaterThan(Date.now())
      expect(endpoint.rejected).toBe(2)
    } finally {
      await endpoint.close()
    }
  })

  it('refreshes from the source before the clients would, and every key it hands out is kept', async () => {
    let now = Date.parse('2026-11-20T10:00:00Z')
    const { p, calls } = provider([
      {
        accessKeyId: 'ASIAFIRST00000000001',
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(now + 60 * MIN),
      },
      {
        accessKeyId: 'ASIASECOND0000000002',
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(now + 120 * MIN),
      },
    ])
    const endpoint = await serveCredentials(p, () => now)
    const get = async () =>
      (
        (await (await fetch(endpoint.url, { headers: { authorization: endpoint.token } })).json()) as {
          AccessKeyId: string
        }
      ).AccessKeyId
    try {
      expect(await get()).toBe('ASIAFIRST00000000001')
      now += 60 * MIN - REFRESH_BEFORE_MS + 1000 // inside botocore's 15-minute refresh margin
      expect(await get()).toBe('ASIASECOND0000000002')
      expect(calls).toEqual([{}, { forceRefresh: true }])
      expect(endpoint.keys).toEqual(['ASIAFIRST00000000001', 'ASIASECOND0000000002'])
    } finally {
      await endpoint.close()
    }
  })

  it("keeps the profile's settings for the child but none of its credential settings", async () => {
    await writeFile(
      join(dir, 'config'),
      [
        '[profile dev]',
        'region = eu-central-1',
        'role_arn = arn:aws:iam::123456789012:role/deployer',
        'source_profile = base',
        's3 =',
        '  addressing_style = path',
        '[profile base]',
        'region = us-west-2',
        '',
      ].join('\n'),
    )
    const env = parentEnv({ AWS_CONFIG_FILE: join(dir, 'config') })
    const profile = await readProfile(env)
    expect(profile.values.role_arn).toBe('arn:aws:iam::123456789012:role/deployer')
    expect(describeCredentialSource(env, profile, true)).toContain(
      'role_arn arn:aws:iam::123456789012:role/deployer assumed from profile base',
    )
    const child = await childEnvironment(env, { url: 'http://127.0.0.1:1/x', token: 't' }, profile)
    try {
      const config = await readFile(child.env.AWS_CONFIG_FILE as string, 'utf8')
      expect(config).toContain('[default]\nregion = eu-central-1\ns3 =\n  addressing_style = path')
      expect(config).toContain('[profile dev]\nregion = eu-central-1')
      expect(config).not.toMatch(/role_arn|source_profile|us-west-2/)
      expect(child.env.AWS_REGION).toBe('eu-central-1')
      expect(await readFile(child.env.AWS_SHARED_CREDENTIALS_FILE as string, 'utf8')).toBe('')
    } finally {
      await child.dispose()
    }
  })
})

describe('the AWS CLI v1 against the endpoint', () => {
  let aws: FakeAws
  beforeEach(async () => {
    aws = await startFakeAws({
      identities: {
        [KEY]: {
          arn: DEPLOYER_SESSION,
          type: 'AssumedRole',
          roleArn: 'arn:aws:iam::123456789012:role/deployer',
        },
      },
    })
  })
  afterEach(async () => {
    await aws.close()
  })

  it('signs its calls with the shared keys (skips when `aws` is not installed)', async (ctx) => {
    const version = await run('aws', ['--version']).catch(() => undefined)
    if (!version) {
      console.warn('skipped: the AWS CLI (aws) is not on PATH')
      ctx.skip()
      return
    }
    const { p } = provider([
      {
        accessKeyId: KEY,
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(Date.now() + 60 * MIN),
      },
    ])
    const endpoint = await serveCredentials(p)
    const child = await childEnvironment(
      parentEnv({ AWS_ENDPOINT_URL_STS: aws.url, AWS_DEFAULT_REGION: 'us-east-1' }),
      endpoint,
      noProfile,
    )
    try {
      const out = await run('aws', ['sts', 'get-caller-identity', '--output', 'json'], { env: child.env })
      expect((JSON.parse(out.stdout) as { Arn: string }).Arn).toBe(DEPLOYER_SESSION)
      expect(endpoint.fetches).toBeGreaterThanOrEqual(1)
      expect(aws.events.map((e) => e.event.userIdentity?.accessKeyId)).toEqual([KEY])
    } finally {
      await endpoint.close()
      await child.dispose()
    }
  })
})
