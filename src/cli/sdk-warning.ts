/**
 * The AWS SDK for JavaScript warns, on the first client of every process on Node < 22, that its
 * future releases will need Node 22: ten lines on stderr of every AWS command. iamtrail supports
 * Node 20 (package.json engines), so the warning says nothing a user can act on. The SDK's own
 * setting turns it off (@aws-sdk/core emitWarningIfUnsupportedVersion reads it when a client is
 * made); a value the user set is left as it is.
 */
const SETTING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'

let setHere = false

export function silenceSdkNodeWarning(env: NodeJS.ProcessEnv = process.env): void {
  if (env[SETTING] !== undefined) return
  env[SETTING] = 'true'
  setHere = true
}

/** The environment as the user gave it: `record`'s command gets no setting iamtrail made for itself. */
export function userEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!setHere) return env
  const { [SETTING]: _ours, ...rest } = env
  return rest
}
