import type { CloudTrailEvent } from '../../events/cloudtrail-event.js'
import { principalText } from '../../events/principal.js'
import type { Finding } from '../../findings.js'
import { IAMTRAIL_VERSION } from '../../version.js'
import { RECORDING_FORMAT, type RecordingManifest, writeRecording } from '../recording.js'
import {
  CLOCK_SKEW_PAD_MS,
  collectLookup,
  describeSettle,
  type LookupCollection,
  type LookupCollectRequest,
} from './collect-lookup.js'

/** What to collect (as for collectLookup), and where and under which name to save it. */
export interface LookupRecordingRequest extends Omit<LookupCollectRequest, 'seed'> {
  path: string
  name: string
  /** The manifest's `principal`, when not the selector's text (record: the caller of the keys). */
  label?: string
  command?: { argv: string[]; exitCode: number | null }
  /** Known once the command has run (the keys the endpoint handed out); saved in the manifest. */
  credentials?: () => NonNullable<RecordingManifest['credentials']>
  force?: boolean
  /** Events of the recording being resumed. */
  seed?: readonly CloudTrailEvent[]
}

export interface LookupRecordingResult {
  manifest: RecordingManifest
  collection: LookupCollection
  findings: Finding[]
  /**
   * False when a credentials or permission failure stopped a `collect` before it found anything:
   * there is nothing to save. A `record` always saves, so the run can be resumed once fixed.
   */
  saved: boolean
}

/**
 * Collect with the `lookup` source and save the result as a recording, whatever happened: an
 * interrupted or failed collection still saves what it has, marked possibly incomplete, so that
 * `collect --resume` can top it up. Only a run that has nothing and cannot get anything saves nothing.
 */
export async function recordLookup(req: LookupRecordingRequest): Promise<LookupRecordingResult> {
  const collection = await collectLookup({
    lookup: req.lookup,
    principal: req.principal,
    window: req.window,
    regions: req.regions,
    ...(req.accessKeyId ? { accessKeyId: req.accessKeyId } : {}),
    ...(req.graph ? { graph: req.graph } : {}),
    ...(req.settleMs !== undefined ? { settleMs: req.settleMs } : {}),
    ...(req.maxWaitMs !== undefined ? { maxWaitMs: req.maxWaitMs } : {}),
    ...(req.pollIntervalMs !== undefined ? { pollIntervalMs: req.pollIntervalMs } : {}),
    ...(req.clock ? { clock: req.clock } : {}),
    ...(req.limiters ? { limiters: req.limiters } : {}),
    ...(req.signal ? { signal: req.signal } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    ...(req.seed ? { seed: { events: req.seed, regionOf: (e: CloudTrailEvent) => e.awsRegion } } : {}),
  })
  const s = collection.settle
  const failedRegions = Object.fromEntries(
    Object.entries(s.failedRegions).map(([r, f]) => [r, `${f.code}: ${f.message}`]),
  )
  const manifest: RecordingManifest = {
    format: RECORDING_FORMAT,
    iamtrailVersion: IAMTRAIL_VERSION,
    name: req.name,
    principal: req.label ?? principalText(req.principal),
    window: { start: req.window.start.toISOString(), end: req.window.end.toISOString() },
    regions: collection.regions,
    sources: ['lookup'],
    settle: { outcome: s.outcome, detail: describeSettle(s), reason: s.reason, waitedMs: s.waitedMs },
    counts: { events: collection.events.length, perRegion: collection.perRegion },
    lookup: {
      clockSkewPadMs: CLOCK_SKEW_PAD_MS,
      polls: s.polls,
      throttles: s.throttles,
      ...(collection.attribute ? { attribute: collection.attribute } : {}),
      ...(Object.keys(failedRegions).length ? { failedRegions } : {}),
    },
    createdAt: new Date((req.clock ?? { now: Date.now }).now()).toISOString(),
  }
  if (req.command) manifest.command = req.command
  if (req.graph) {
    manifest.identities = {
      roots: req.graph.roots.map(principalText),
      follow: req.graph.follow,
      accessKeys: req.graph.accessKeys(),
      edges: [...req.graph.edges()],
      excluded: [...req.graph.excluded()],
    }
  }
  if (req.credentials) manifest.credentials = req.credentials()
  const saved = req.command !== undefined || !(s.fatal && collection.events.length === 0)
  if (saved) await writeRecording(req.path, manifest, collection.events, req.force ?? false)
  return { manifest, collection, findings: collection.findings, saved }
}
