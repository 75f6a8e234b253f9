import type { Catalog } from '../catalog/catalog.js'
import { type FileStats, type InputUnit, readUnit } from '../collect/files/files.js'
import type { PrincipalSelector } from '../events/principal.js'
import { skippingContext } from '../events/read-events.js'
import type { TimeWindow } from '../events/time-window.js'
import { type Finding, FindingList } from '../findings.js'
import type { GraphMembers } from '../identity/graph.js'
import type { AccumulatorSnapshot } from '../reduce/accumulate.js'
import { createMapper } from '../reduce/create-mapper.js'
import { emptyReduceState, reduceInto } from '../reduce/reduce-events.js'
import type { ReduceStats } from '../reduce/usage.js'
import { type Creation, CreationCollector } from '../synthesize/provenance.js'

/** What every slice is read with: the same for the whole run. */
export interface SliceOptions {
  principal?: PrincipalSelector
  members?: GraphMembers
  window: TimeWindow
  /** See ReadContext.needle. */
  needle?: string
}

export type ReadableUnit = Exclude<InputUnit, { kind: 'unlisted' }>

/**
 * The reduction of one contiguous run of inputs, as plain data (structured-clone safe) for the merge
 * in input order. Bounded by distinct grants, calls and findings, never by events.
 */
export interface SlicePartial {
  stats: ReduceStats
  principalsSeen: Map<string, number>
  accumulators: AccumulatorSnapshot[]
  /** In the order a single pass would have reported them. */
  findings: Finding[]
  filesWithErrors: number
  /** Events and whole files skipped before parsing because they lack the principal's needle. */
  skippedEvents: number
  skippedFiles: number
  /** Instance profile → role name, the last the slice showed for each. */
  profiles: [string, string][]
  /** Service prefixes the mapper needed, for the catalog of the thread that synthesizes. */
  prefixes: string[]
  /** What the slice's events created, of any principal: generalization's evidence. */
  creations: Creation[]
}

/**
 * Reads and reduces a slice with a mapper of its own, so nothing learned in another slice leaks in:
 * whatever the slice needed from earlier inputs (an instance profile's role) is settled by the merge.
 */
export async function reduceSlice(
  units: readonly ReadableUnit[],
  opts: SliceOptions,
  catalog: Catalog,
): Promise<SlicePartial> {
  const sink = new FindingList()
  const state = emptyReduceState()
  const fileStats: FileStats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
  const prefixes = new Set<string>()
  const { ctx, skipped } = skippingContext(sink, opts.needle)
  const mapper = createMapper(catalog)
  const created = new CreationCollector()
  const reduceOpts = { window: opts.window, mapper, catalog, sink }
  const withPrincipal = {
    ...reduceOpts,
    ...(opts.principal ? { principal: opts.principal } : {}),
    ...(opts.members ? { members: opts.members } : {}),
  }
  for (const unit of units) {
    await reduceInto(state, created.tap(readUnit(unit, ctx, fileStats)), withPrincipal, {
      onPrefix: (p) => prefixes.add(p),
    })
  }
  return {
    stats: state.stats,
    principalsSeen: state.principalsSeen,
    accumulators: [...state.accumulators.values()].map((a) => a.snapshot()),
    findings: sink.items,
    filesWithErrors: fileStats.filesWithErrors,
    skippedEvents: skipped.events,
    skippedFiles: skipped.files,
    profiles: mapper.learnedProfiles?.() ?? [],
    prefixes: [...prefixes],
    creations: created.snapshot(),
  }
}
