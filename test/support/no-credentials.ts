import { join } from 'node:path'

/**
 * An environment in which the AWS credential chain finds nothing: no keys, profile, container or
 * instance credentials, and config files that do not exist (under `dir`). A command that got as far
 * as AWS fails on credentials, which is what these tests tell apart.
 */
export function noCredentialsEnv(dir: string): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
  }
}
