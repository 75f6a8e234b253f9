import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { type FakeAws, type FakeAwsOptions, startFakeAws } from './fake-aws-server.js'
import { REPO_ROOT } from './shared-data.js'

/**
 * For CLI tests against the fake CloudTrail + STS (fake-aws-server.ts): a server and a temporary
 * directory per test, and the environment that points the real CLI at them with dummy credentials.
 */
export const KEY = 'ASIAFAKEDEPLOYER0001'
export const EXPIRED = 'ASIAFAKEEXPIRED00001'
export const DEPLOY = join(REPO_ROOT, 'test', 'cli', 'fixtures', 'fake-deploy.mjs')
export const DEPLOYER_SESSION = 'arn:aws:sts::123456789012:assumed-role/deployer/ci-run'

export const DEFAULT_FAKE: FakeAwsOptions = {
  identities: {
    [KEY]: { arn: DEPLOYER_SESSION, type: 'AssumedRole', roleArn: 'arn:aws:iam::123456789012:role/deployer' },
  },
  expiredKeys: [EXPIRED],
  deliveryDelayMs: 400,
}

export interface FakeAwsContext {
  aws: FakeAws
  dir: string
  /** Replace the server, for a test that needs other behaviour. */
  restart(opts: FakeAwsOptions): Promise<FakeAws>
  env(accessKeyId?: string): NodeJS.ProcessEnv
}

export function useFakeAws(): FakeAwsContext {
  const ctx = {} as FakeAwsContext
  beforeEach(async () => {
    ctx.aws = await startFakeAws(DEFAULT_FAKE)
    ctx.dir = await mkdtemp(join(tmpdir(), 'iamtrail-cli-'))
  })
  afterEach(async () => {
    await ctx.aws.close()
    await rm(ctx.dir, { recursive: true, force: true })
  })
  ctx.restart = async (opts) => {
    await ctx.aws.close()
    ctx.aws = await startFakeAws(opts)
    return ctx.aws
  }
  ctx.env = (accessKeyId = KEY) => ({
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_SESSION_TOKEN: 'fake-token',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_CLOUDTRAIL: ctx.aws.url,
    AWS_ENDPOINT_URL_STS: ctx.aws.url,
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: join(ctx.dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ctx.dir, 'no-credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // never ask an instance metadata service: the tests talk to 127.0.0.1 only
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
  })
  return ctx
}
