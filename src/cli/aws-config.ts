import { IAMTRAIL_VERSION } from '../version.js'

/**
 * SDK client settings shared by every command: the standard credential chain, `--profile` and
 * `--region` as the AWS CLI reads them, and a user-agent marker so iamtrail's own calls can be told
 * apart in CloudTrail (and kept out of recordings).
 */
export const USER_AGENT_MARKER = `iamtrail/${IAMTRAIL_VERSION}`

export function awsClientConfig(opts: { profile?: string; region?: string }): {
  region?: string
  customUserAgent: string
} {
  // The SDK's default chain reads AWS_PROFILE, exactly like the AWS CLI's --profile.
  if (opts.profile) process.env.AWS_PROFILE = opts.profile
  const config: { region?: string; customUserAgent: string } = { customUserAgent: USER_AGENT_MARKER }
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  config.region = region ?? 'us-east-1'
  return config
}
