import { randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CREDENTIAL_ENV, CREDENTIAL_SETTINGS, type ProfileSettings } from '../aws/aws-config-files.js'

/** Credentials as the SDK resolves them. */
export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  expiration?: Date
}

/** The SDK's memoized provider: `forceRefresh` asks the source again (a new AssumeRole, SSO call, …). */
export type CredentialProvider = (options?: { forceRefresh?: boolean }) => Promise<Credentials>

/**
 * botocore refreshes container credentials 15 minutes before they expire (10 mandatory), the JS
 * and Go SDKs 5 minutes before. Serving credentials with less left than that makes the most eager
 * client re-fetch on every call, so the endpoint refreshes from the source at this margin.
 */
export const REFRESH_BEFORE_MS = 16 * 60_000

/**
 * Long-term keys (an IAM user's) have no expiry, but the container-credentials protocol requires
 * one: clients are told to come back in an hour and get the same keys.
 */
const STATIC_LIFETIME_MS = 60 * 60_000

export const CREDENTIALS_PATH = '/iamtrail/credentials'

export interface CredentialsEndpoint {
  url: string
  token: string
  /** Every access key handed out, in order: each one is part of the recording. */
  readonly keys: readonly string[]
  /** Authorized requests answered; 0 after the command means it never used these credentials. */
  readonly fetches: number
  readonly rejected: number
  close(): Promise<void>
}

/**
 * Serves the credentials iamtrail resolved on a loopback container-credentials endpoint (the
 * protocol of ECS task roles and of credential helpers): every AWS SDK and the AWS CLI read
 * AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN, accept http only on
 * loopback, and come back before the credentials expire. So the command signs every call with keys
 * iamtrail knows, and a deploy longer than a session keeps working: the endpoint refreshes from the
 * source, and the new key joins `keys`.
 */
export async function serveCredentials(
  provider: CredentialProvider,
  now: () => number = Date.now,
): Promise<CredentialsEndpoint> {
  const token = randomBytes(32).toString('base64url')
  const keys: string[] = []
  let current: Credentials | undefined
  let fetches = 0
  let rejected = 0
  const fresh = async (): Promise<Credentials> => {
    const left = current?.expiration ? current.expiration.getTime() - now() : Number.POSITIVE_INFINITY
    if (!current || left < REFRESH_BEFORE_MS) {
      current = await provider(current ? { forceRefresh: true } : {})
      if (!keys.includes(current.accessKeyId)) keys.push(current.accessKeyId)
    }
    return current
  }
  const server: Server = createServer((req, res) => {
    const given = Buffer.from(String(req.headers.authorization ?? ''))
    const wanted = Buffer.from(token)
    const authorized = given.length === wanted.length && timingSafeEqual(given, wanted)
    res.setHeader('content-type', 'application/json')
    if (!authorized || req.url !== CREDENTIALS_PATH || req.method !== 'GET') {
      rejected++
      res.statusCode = authorized ? 404 : 403
      res.end(
        JSON.stringify({ Code: 'AccessDenied', Message: 'iamtrail credentials endpoint: bad token or path' }),
      )
      return
    }
    fresh().then(
      (c) => {
        fetches++
        res.end(
          JSON.stringify({
            AccessKeyId: c.accessKeyId,
            SecretAccessKey: c.secretAccessKey,
            // Long-term keys have no session token; every SDK signs without one when it is empty.
            Token: c.sessionToken ?? '',
            Expiration: (c.expiration ?? new Date(now() + STATIC_LIFETIME_MS)).toISOString(),
          }),
        )
      },
      (err: unknown) => {
        res.statusCode = 500
        res.end(JSON.stringify({ Code: 'CredentialsError', Message: String(err) }))
      },
    )
  })
  // Resolve now: a failure belongs before the command starts, and the first key is the recording's.
  await fresh()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    token,
    get keys() {
      return keys
    },
    get fetches() {
      return fetches
    },
    get rejected() {
      return rejected
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export interface ChildEnvironment {
  env: NodeJS.ProcessEnv
  dispose(): Promise<void>
}

/**
 * The command's environment: the endpoint, and nothing that would make its SDK resolve credentials
 * on its own. The chain of every SDK reads environment keys and then the profile before the
 * container endpoint, so credential variables are removed and the config files are replaced by
 * ones holding the profile's other settings (region, endpoints, retries) under `default` and under
 * its own name, so `--profile <name>` in the command still works and gets the shared credentials.
 */
export async function childEnvironment(
  parent: NodeJS.ProcessEnv,
  endpoint: Pick<CredentialsEndpoint, 'url' | 'token'>,
  profile: ProfileSettings,
): Promise<ChildEnvironment> {
  const dir = await mkdtemp(join(tmpdir(), 'iamtrail-record-'))
  const settings = profile.lines
    .filter((l) => !CREDENTIAL_SETTINGS.has(l.key))
    .flatMap((l) => l.text)
    .join('\n')
  const sections = ['[default]', ...(profile.name !== 'default' ? [`[profile ${profile.name}]`] : [])]
  const config = join(dir, 'config')
  const credentials = join(dir, 'credentials')
  await writeFile(config, sections.map((s) => `${s}\n${settings}\n`).join('\n'), { mode: 0o600 })
  await writeFile(credentials, '', { mode: 0o600 })
  const env: NodeJS.ProcessEnv = { ...parent }
  for (const k of CREDENTIAL_ENV) delete env[k]
  env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint.url
  env.AWS_CONTAINER_AUTHORIZATION_TOKEN = endpoint.token
  env.AWS_CONFIG_FILE = config
  env.AWS_SHARED_CREDENTIALS_FILE = credentials
  const region = profile.values.region
  if (region && !env.AWS_REGION) env.AWS_REGION = region
  if (region && !env.AWS_DEFAULT_REGION) env.AWS_DEFAULT_REGION = region
  return { env, dispose: () => rm(dir, { recursive: true, force: true }) }
}
