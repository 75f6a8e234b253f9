import type { AthenaClient } from '@aws-sdk/client-athena'
import type { Command } from 'commander'
import { defaultRegion, sdkClientConfig } from '../aws/sdk-config.js'
import type { AthenaRun, QueryProgress } from '../collect/athena/athena.js'
import { costUsd, formatBytes } from '../collect/athena/athena.js'
import { IamtrailError } from '../errors.js'
import { abortOnInterrupt } from './interrupt.js'

/** The options every Athena-backed command shares (`collect --source athena`, `creep --source athena`, `queries install`). */
export interface AthenaOptions {
  database?: string
  table?: string
  workgroup?: string
  outputLocation?: string
  maxScanGb?: string
  accounts?: string
  profile?: string
  region?: string
  quiet?: boolean
}

export function addAthenaOptions(cmd: Command): Command {
  return cmd
    .option('--database <name>', 'athena: the Glue database of the CloudTrail table')
    .option('--table <name>', 'athena: the CloudTrail table (queries print cloudtrail-table-* creates one)')
    .option('--workgroup <name>', 'athena: workgroup (default: primary)')
    .option(
      '--output-location <s3-uri>',
      'athena: where Athena writes results (unless the workgroup sets it)',
    )
    .option('--accounts <list>', 'athena: comma-separated account ids to read (the account partition)')
    .option('--max-scan-gb <n>', 'athena: stop a query that scans more than this many GB')
}

export async function athenaClient(opts: AthenaOptions): Promise<AthenaClient> {
  const { AthenaClient } = await import('@aws-sdk/client-athena')
  return new AthenaClient(
    sdkClientConfig(defaultRegion(opts.region), opts.profile ? { profile: opts.profile } : {}),
  )
}

export function athenaTarget(opts: AthenaOptions): { database: string; table: string; accounts: string[] } {
  if (!opts.database || !opts.table)
    throw new IamtrailError('--source athena needs --database and --table (see docs/athena.md)')
  const accounts = (opts.accounts ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  return { database: opts.database, table: opts.table, accounts }
}

/**
 * The runner's settings from the options: workgroup, result location, the scan limit, Ctrl-C
 * (which stops the running query), and progress on stderr: state, elapsed time and data scanned,
 * rewritten in place on a terminal, a line per state change otherwise.
 */
export function athenaRun(opts: AthenaOptions): { run: Omit<AthenaRun, 'database'>; dispose(): void } {
  let maxScanBytes: number | undefined
  if (opts.maxScanGb !== undefined) {
    const gb = Number(opts.maxScanGb)
    if (!(gb > 0)) throw new IamtrailError(`--max-scan-gb ${opts.maxScanGb}: expected a positive number`)
    maxScanBytes = gb * 1e9
  }
  const interrupt = abortOnInterrupt(() =>
    process.stderr.write('\niamtrail: interrupted; stopping the Athena query\n'),
  )
  const tty = process.stderr.isTTY === true
  let lastState = ''
  const onProgress = (p: QueryProgress) => {
    if (opts.quiet) return
    const line = `athena ${p.queryId.slice(0, 8)}: ${p.state} ${(p.elapsedMs / 1000).toFixed(0)} s, ${formatBytes(p.scannedBytes)} scanned`
    if (tty) process.stderr.write(`\r${line}\u001b[K`)
    else if (p.state !== lastState) process.stderr.write(`iamtrail: ${line}\n`)
    lastState = p.state
  }
  return {
    run: {
      ...(opts.workgroup ? { workgroup: opts.workgroup } : {}),
      ...(opts.outputLocation ? { outputLocation: opts.outputLocation } : {}),
      ...(maxScanBytes !== undefined ? { maxScanBytes } : {}),
      signal: interrupt.signal,
      onProgress,
    },
    dispose() {
      if (tty && lastState && !opts.quiet) process.stderr.write('\n')
      interrupt.dispose()
    },
  }
}

export function scanSummary(scannedBytes: number, queryId: string): string {
  return `athena query ${queryId}: ${formatBytes(scannedBytes)} scanned, about $${costUsd(scannedBytes).toFixed(4)} at $5/TB`
}
