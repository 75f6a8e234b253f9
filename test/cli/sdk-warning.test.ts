import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { silenceSdkNodeWarning, userEnvironment } from '../../src/cli/sdk-warning.js'
import { runCli } from '../support/run-cli.js'
import { REPO_ROOT } from '../support/shared-data.js'

const EXAMPLE = join(REPO_ROOT, 'examples', 'cfn-lambda-deploy.rec')
const SDK_SETTING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'

/** A user's shell: no credentials (the command fails fast after making its SDK client), no SDK setting. */
const userShell = (): NodeJS.ProcessEnv => ({
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONFIG_FILE: join(REPO_ROOT, 'no-such-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(REPO_ROOT, 'no-such-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'eu-west-1',
  [SDK_SETTING]: undefined,
})

describe("the AWS SDK's Node-version warning (issue 16, first use)", () => {
  it('is not printed on an AWS command', async () => {
    const r = await runCli(['creep', '--all-roles', EXAMPLE, '-q'], { env: userShell() })
    expect(r.stderr).not.toContain('NodeVersionSupportWarning')
    expect(r.stderr).not.toContain('upgrade to node')
  })

  it("sets the SDK's own setting only when unset, and keeps it out of the user's environment", () => {
    const env: NodeJS.ProcessEnv = {}
    silenceSdkNodeWarning(env)
    expect(env[SDK_SETTING]).toBe('true')
    expect(userEnvironment(env)[SDK_SETTING]).toBeUndefined()
    const theirs: NodeJS.ProcessEnv = { [SDK_SETTING]: 'false' }
    silenceSdkNodeWarning(theirs)
    expect(theirs[SDK_SETTING]).toBe('false')
  })
})
