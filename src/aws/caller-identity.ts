import { awsFailureError, classifyAwsError } from './aws-errors.js'
import { type AwsClientOptions, defaultRegion, sdkClientConfig } from './sdk-config.js'

/** Who the credentials belong to, and the access key they sign with (the most selective lookup). */
export interface CallerIdentity {
  arn: string
  account: string
  accessKeyId?: string
}

export interface CallerIdentityPort {
  getCallerIdentity(): Promise<CallerIdentity>
}

/**
 * sts:GetCallerIdentity needs no permission and works with any valid credentials, so a failure
 * here is about the credentials themselves: the message says so before any command runs.
 */
export function createCallerIdentity(aws: AwsClientOptions & { region?: string }): CallerIdentityPort {
  return {
    async getCallerIdentity() {
      const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts')
      const client = new STSClient(sdkClientConfig(defaultRegion(aws.region), aws))
      try {
        const out = await client.send(new GetCallerIdentityCommand({}))
        const creds = await client.config.credentials()
        if (!out.Arn || !out.Account) throw new Error('GetCallerIdentity returned no Arn')
        const id: CallerIdentity = { arn: out.Arn, account: out.Account }
        if (creds.accessKeyId) id.accessKeyId = creds.accessKeyId
        return id
      } catch (err) {
        throw awsFailureError(classifyAwsError(err), 'sts:GetCallerIdentity', err)
      } finally {
        client.destroy()
      }
    },
  }
}

/**
 * The default credential chain, resolved the way every iamtrail client resolves it (profile,
 * SSO, credential_process, role_arn, environment, container, instance metadata) and memoized by
 * the SDK: calling it again returns the same keys until they near expiry; `forceRefresh` asks the
 * source for new ones. `record` resolves it once and shares it with the command.
 */
export async function createCredentialProvider(
  aws: AwsClientOptions & { region?: string },
): Promise<NonNullable<AwsClientOptions['credentials']>> {
  const { STSClient } = await import('@aws-sdk/client-sts')
  const client = new STSClient(sdkClientConfig(defaultRegion(aws.region), aws))
  const provider = client.config.credentials
  return async (options) => {
    try {
      return await provider(options)
    } catch (err) {
      throw awsFailureError(classifyAwsError(err), 'credentials', err)
    }
  }
}
