/**
 * The one error type that aborts a command. `fault` says who must act: the user (bad option, missing
 * file, no credentials) or the tool (a bug). The CLI entry point maps it to an exit code.
 */
export type Fault = 'user' | 'tool' | 'environment'

export const EXIT = {
  ok: 0,
  /** Results were produced but may be incomplete (an input failed, a region was not collected). */
  incomplete: 2,
  /** The user asked for something that cannot be done (bad option, file exists without --force). */
  usage: 1,
  /** A `--fail-on` gate tripped. */
  gate: 3,
  internal: 70,
} as const

export class IamtrailError extends Error {
  constructor(
    message: string,
    readonly fault: Fault = 'user',
    readonly exitCode: number = fault === 'tool' ? EXIT.internal : EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'IamtrailError'
  }
}
