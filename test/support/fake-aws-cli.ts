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
/** Another session of the deployer role, which iamtrail never hands out (fake-deploy.mjs `other-session`). */
export const OTHER_SESSION_KEY = 'ASIAFAKEOTHERSESS001'
/** CloudFormation acting as the CDK execution role (fake-deploy.mjs `cdk`). */
export const CFN_EXEC_KEY = 'ASIAFAKECFNEXEC00001'
export const CFN_EXEC_ROLE =
  'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1'

export const DEFAULT_FAKE: FakeAwsOptions = {
  identities: {
    [KEY]: { arn: DEPLOYER_SESSION, type: 'AssumedRole', roleArn: 'arn:aws:iam::123456789012:role/deployer' },
    [OTHER_SESSION_KEY]: {
      arn: 'arn:aws:sts::123456789012:assumed-role/deployer/aws-go-sdk-1700000000',
      type: 'AssumedRole',
      roleArn: 'arn:aws:iam::123456789012:role/deployer',
    },
    [CFN_EXEC_KEY]: {
      arn: 'arn:aws:sts::123456789012:assumed-role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1/AWSCloudFormation',
      type: 'AssumedRole',
      roleArn: CFN_EXEC_ROLE,
    },
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
