import type { CloudTrailEvent } from '../../events/cloudtrail-event.js'
import type { PrincipalSelector } from '../../events/principal.js'
import { principalText } from '../../events/principal.js'
import { IAMTRAIL_VERSION } from '../../version.js'
import { RECORDING_FORMAT, type RecordingManifest, writeRecording } from '../recording.js'
import { type AthenaPort, type AthenaRun, costUsd, type QueryOutcome, runAthenaQuery } from './athena.js'
import { rowToEvent } from './athena-rows.js'
import { loadQuery, principalEventsParams, tableName } from './athena-sql.js'

export interface AthenaEventsRequest extends Omit<AthenaRun, 'database'> {
  database: string
  table: string
  principal: PrincipalSelector
  window: { start: Date; end: Date }
  /** Regions to read (the region partition); none = every region of the table. */
  regions: readonly string[]
  /** Accounts to read (the account partition); none = every account of the table. */
  accounts?: readonly string[]
}

/**
 * The events of one principal in a window, from the trail's table: queries/principal-events.sql
 * with the principal, window, regions and accounts bound as execution parameters, rows turned back
 * into CloudTrail records. The generator's return value says what the query scanned.
 */
export async function* athenaEvents(
  athena: AthenaPort,
  req: AthenaEventsRequest,
): AsyncGenerator<CloudTrailEvent, QueryOutcome> {
  const sql = loadQuery('principal-events', tableName(req.database, req.table))
  const who = req.principal.kind === 'access-key' ? req.principal.id : req.principal.arn
  const params = principalEventsParams(
    {
      start: req.window.start,
      end: req.window.end,
      regions: req.regions,
      ...(req.accounts ? { accounts: req.accounts } : {}),
    },
    who,
  )
  const rows = runAthenaQuery(athena, sql, params, req)
  for (;;) {
    const next = await rows.next()
    if (next.done) return next.value
    yield rowToEvent(next.value)
  }
}

/** Collect with Athena into a recording; the manifest says which query ran and what it scanned. */
export async function recordAthena(
  athena: AthenaPort,
  req: AthenaEventsRequest & { path: string; name: string; force?: boolean },
): Promise<RecordingManifest> {
  const manifest: RecordingManifest = {
    format: RECORDING_FORMAT,
    iamtrailVersion: IAMTRAIL_VERSION,
    name: req.name,
    principal: principalText(req.principal),
    window: { start: req.window.start.toISOString(), end: req.window.end.toISOString() },
    regions: [...req.regions],
    sources: ['athena'],
    settle: {
      outcome: 'complete',
      detail: 'Athena reads what CloudTrail has delivered to S3 (usually within 15 minutes of a call)',
    },
    counts: { events: 0, perRegion: {} },
    createdAt: new Date().toISOString(),
  }
  const events = athenaEvents(athena, req)
  // writeRecording writes the manifest after the events, so the counts filled in while streaming land in it.
  await writeRecording(
    req.path,
    manifest,
    (async function* () {
      for (;;) {
        const next = await events.next()
        if (next.done) {
          manifest.athena = {
            database: req.database,
            table: req.table,
            ...(req.workgroup ? { workgroup: req.workgroup } : {}),
            queryExecutionId: next.value.queryId,
            scannedBytes: next.value.scannedBytes,
            costUsd: costUsd(next.value.scannedBytes),
            elapsedMs: next.value.elapsedMs,
            ...(req.accounts?.length ? { accounts: [...req.accounts] } : {}),
          }
          return
        }
        const e = next.value
        manifest.counts.events++
        manifest.counts.perRegion[e.awsRegion] = (manifest.counts.perRegion[e.awsRegion] ?? 0) + 1
        yield e
      }
    })(),
    req.force,
  )
  return manifest
}
