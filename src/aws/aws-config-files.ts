import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The AWS shared config and credentials files, read just enough to know which profile the SDK will
 * use, what kind of credentials it holds (for messages) and which of its settings a child process
 * needs besides credentials (its region, endpoints, retries). The SDK still does the resolving.
 */
export interface ProfileSettings {
  name: string
  /** key → value, from both files (the credentials file wins, as in the SDKs). */
  values: Record<string, string>
  /** The profile's lines in the config file, sub-sections (`s3 =` + indented lines) included. */
  lines: { key: string; text: string[] }[]
}

export function profileName(env: NodeJS.ProcessEnv, profile?: string): string {
  // An empty AWS_PROFILE is unset for every SDK.
  return profile || env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || 'default'
}

export async function readProfile(env: NodeJS.ProcessEnv, profile?: string): Promise<ProfileSettings> {
  const name = profileName(env, profile)
  const home = env.HOME || homedir()
  const config = await readText(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'))
  const credentials = await readText(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'))
  const fromConfig = iniSection(
    config,
    name === 'default' ? ['default', 'profile default'] : [`profile ${name}`],
  )
  const fromCredentials = iniSection(credentials, [name])
  const values: Record<string, string> = {}
  for (const l of [...fromConfig, ...fromCredentials])
    values[l.key] = l.text[0]?.split('=').slice(1).join('=').trim() ?? ''
  return { name, values, lines: fromConfig }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return ''
  }
}

/** The key lines of the first matching `[section]`; indented lines continue the key above them. */
export function iniSection(text: string, names: readonly string[]): { key: string; text: string[] }[] {
  const out: { key: string; text: string[] }[] = []
  let inside = false
  let found = false
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+[#;].*$/, '')
    if (/^\s*[#;]/.test(line) || line.trim() === '') continue
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line)
    if (header) {
      const wanted = !found && names.includes((header[1] ?? '').trim().replace(/\s+/g, ' '))
      if (inside && !wanted) found = true
      inside = wanted
      continue
    }
    if (!inside) continue
    if (/^\s/.test(raw) && out.length) {
      out[out.length - 1]?.text.push(line)
      continue
    }
    const eq = line.indexOf('=')
    if (eq < 0) continue
    out.push({ key: line.slice(0, eq).trim().toLowerCase(), text: [line.trim()] })
  }
  return out
}

/**
 * Settings that make an SDK resolve credentials on its own. A child that shares iamtrail's
 * credentials must not see them, or it would mint its own session with a new access key.
 */
export const CREDENTIAL_SETTINGS = new Set([
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
  'role_arn',
  'source_profile',
  'credential_source',
  'role_session_name',
  'external_id',
  'mfa_serial',
  'duration_seconds',
  'web_identity_token_file',
  'credential_process',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'sso_registration_scopes',
  'login_session',
])

/** Environment variables that carry credentials or point an SDK at a source of them. */
export const CREDENTIAL_ENV = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
]

/**
 * What kind of credentials the chain will find, in the SDKs' order, for messages: "no events" is
 * far easier to act on when it says "an SSO profile" or "a credential_process helper".
 */
export function describeCredentialSource(
  env: NodeJS.ProcessEnv,
  profile: ProfileSettings,
  explicitProfile: boolean,
): string {
  // A named profile (--profile, AWS_PROFILE) takes precedence over environment keys in the JS SDK.
  if (env.AWS_ACCESS_KEY_ID && !explicitProfile)
    return 'access keys in environment variables (AWS_ACCESS_KEY_ID)'
  const v = profile.values
  const p = `profile ${profile.name}`
  if (v.role_arn && v.source_profile)
    return `${p}: role_arn ${v.role_arn} assumed from profile ${v.source_profile} (a new session per process)`
  if (v.role_arn && v.credential_source)
    return `${p}: role_arn ${v.role_arn} assumed with credential_source ${v.credential_source}`
  if (v.role_arn && v.web_identity_token_file) return `${p}: web identity role ${v.role_arn}`
  if (v.sso_session || v.sso_start_url)
    return `${p}: IAM Identity Center (SSO) role ${v.sso_role_name ?? '?'} in ${v.sso_account_id ?? '?'} (new keys per process)`
  if (v.credential_process) return `${p}: credential_process helper (${v.credential_process})`
  if (v.aws_access_key_id) return `${p}: access keys in the shared credentials/config file`
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN)
    return `web identity role ${env.AWS_ROLE_ARN} (environment)`
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)
    return 'a container credentials endpoint (ECS, CodeBuild, EKS Pod Identity)'
  return 'instance metadata (EC2 instance profile) or another source of the default chain'
}
