import type { Command } from 'commander'
import { recordAthena } from '../../collect/athena/athena-recording.js'
import { IamtrailError } from '../../errors.js'
import { addAthenaOptions, athenaClient, athenaRun, athenaTarget, scanSummary } from '../athena-options.js'
import { checkOutput } from '../output.js'
import { parseRegions } from '../parse-options.js'
import { COLLECT_SOURCES, type CollectOptions, whoAndWhen } from './collect.js'

/** `collect --source athena`: the principal's events of the window from the trail's table in S3. */
export function addAthenaSource(collect: Command): Command {
  COLLECT_SOURCES.set('athena', {
    description: 'Athena over the trail’s S3 logs (--database, --table; any window, organization trails)',
    run: collectWithAthena,
  })
  return addAthenaOptions(collect)
}

async function collectWithAthena(opts: CollectOptions): Promise<void> {
  if (opts.resume) throw new IamtrailError('--resume is for the lookup source; run the Athena query again')
  const { principal, window } = whoAndWhen(opts)
  const target = athenaTarget(opts)
  const { run, dispose } = athenaRun(opts)
  const path = opts.output ?? `${opts.name}.rec`
  await checkOutput(path, opts.force)
  const athena = await athenaClient(opts)
  try {
    const manifest = await recordAthena(athena, {
      ...run,
      ...target,
      principal,
      window,
      regions: parseRegions(opts.regions),
      path,
      name: opts.name,
      force: opts.force,
    })
    const a = manifest.athena!
    process.stderr.write(
      `iamtrail: ${manifest.counts.events} events; ${scanSummary(a.scannedBytes, a.queryExecutionId)}\niamtrail: recording saved to ${path}\n`,
    )
    if (opts.format === 'json') process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`)
    else process.stdout.write(`${path}\n`)
  } finally {
    dispose()
    athena.destroy()
  }
}
