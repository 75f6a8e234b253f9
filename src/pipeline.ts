import { Catalog } from './catalog/catalog.js'
import { type FileStats, readInputs } from './collect/files/files.js'
import { IamtrailError } from './errors.js'
import { needleFor, type PrincipalSelector } from './events/principal.js'
import { skippingContext } from './events/read-events.js'
import type { TimeWindow } from './events/time-window.js'
import type { FindingSink } from './findings.js'
import type { GraphMembers } from './identity/graph.js'
import { type InputsReduction, reduceInParallel } from './parallel/reduce-parallel.js'
import { createMapper } from './reduce/create-mapper.js'
import { type ReduceResult, reduceEvents, selectorLabel } from './reduce/reduce-events.js'
import type { Usage } from './reduce/usage.js'
import { CreationCollector, CreationIndex } from './synthesize/provenance.js'

export interface UsageRequest {
  inputs: readonly string[]
  principal?: PrincipalSelector
  /** An identity graph's members (src/follow.ts): one usage per member identity. */
  members?: GraphMembers
  window: TimeWindow
  sink: FindingSink
  catalog?: Catalog
  /** With a principal: no events is an empty usage (creep: a principal that did nothing), not an error. */
  allowEmpty?: boolean
  /**
   * Worker threads that read and reduce files (1: all in this thread). The result is the same for
   * any number; the main thread merges the workers' partial usages in input order.
   */
  jobs?: number
}

export interface UsageResult extends ReduceResult {
  usage: Usage
  catalog: Catalog
  /** What the inputs created: which names are the deploy's own (see synthesize/provenance.ts). */
  creations: CreationIndex
}

/**
 * One pass over the inputs: every principal's usage (or the selected one's), with the pass's stats.
 * `creep` reports on many principals from one pass; `usageFromInputs` picks the one it needs.
 */
export async function reduceInputs(
  req: UsageRequest,
): Promise<ReduceResult & { catalog: Catalog; creations: CreationIndex }> {
  const catalog = req.catalog ?? new Catalog()
  const needle = req.principal ? needleFor(req.principal) : undefined
  const { result, fileStats, skippedEvents, skippedFiles, creations } =
    (req.jobs ?? 1) > 1
      ? await reduceInParallel({ ...req, catalog, ...(needle ? { needle } : {}) }, req.jobs ?? 1)
      : await reduceHere(req, catalog, needle)
  Object.assign(result.stats, fileStats)
  if (skippedEvents) {
    result.stats.eventsRead += skippedEvents
    result.stats.skipped['another principal'] =
      (result.stats.skipped['another principal'] ?? 0) + skippedEvents
  }
  if (skippedFiles) result.stats.skipped['files without the principal (not parsed)'] = skippedFiles
  return { ...result, catalog, creations: new CreationIndex(creations) }
}

/**
 * Inputs → the usage of one principal: the shared front half of `policy`, `diff` and `creep`.
 * Several principals without a selection is a user error that lists them: merging unrelated
 * principals into one policy would grant each what the others used.
 */
export async function usageFromInputs(req: UsageRequest): Promise<UsageResult> {
  const { sink, unread } = keepingUnread(req.sink)
  const { catalog, ...result } = await reduceInputs({ ...req, sink })
  if (result.usages.length > 1) {
    const list = [...result.principalsSeen]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, n]) => `  ${p}  (${n} events)`)
      .join('\n')
    throw new IamtrailError(
      `the input holds ${result.usages.length} principals; choose one with --principal:\n${list}`,
    )
  }
  const usage =
    result.usages[0] ??
    (req.allowEmpty && req.principal ? emptyUsage(selectorLabel(req.principal)) : undefined)
  if (!usage) throw noEvents('the selected principal', result.principalsSeen, unread)
  return { ...result, usage, catalog }
}

/** A sink that also keeps the inputs that could not be read, so that "no events" can say why. */
export function keepingUnread(outer: FindingSink): { sink: FindingSink; unread: string[] } {
  const unread: string[] = []
  const sink: FindingSink = {
    report(f) {
      if (f.severity === 'error' && f.code.startsWith('input.'))
        unread.push(`  ${f.where ?? ''}: ${f.detail}`)
      outer.report(f)
    },
  }
  return { sink, unread }
}

/** "No events of <whom>", with the principals the inputs did hold and the inputs that failed. */
export function noEvents(
  whom: string,
  principalsSeen: ReadonlyMap<string, number>,
  unread: string[],
): IamtrailError {
  const seen = [...principalsSeen.keys()]
  const hint =
    (seen.length ? `; principals seen: ${seen.sort().join(', ')}` : '') +
    (unread.length ? `; inputs that could not be read:\n${unread.join('\n')}` : '')
  return new IamtrailError(`no events of ${whom} in the inputs and window${hint}`, 'user', 1)
}

/** The single-threaded pass: today's path, and what --jobs 1 runs. */
async function reduceHere(
  req: UsageRequest,
  catalog: Catalog,
  needle: string | undefined,
): Promise<InputsReduction> {
  const fileStats: FileStats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
  const { ctx, skipped } = skippingContext(req.sink, needle)
  const created = new CreationCollector()
  const events = created.tap(readInputs(req.inputs, req.window, ctx, fileStats))
  const result = await reduceEvents(events, {
    window: req.window,
    mapper: createMapper(catalog),
    catalog,
    sink: req.sink,
    ...(req.principal ? { principal: req.principal } : {}),
    ...(req.members ? { members: req.members } : {}),
  })
  return {
    result,
    fileStats,
    skippedEvents: skipped.events,
    skippedFiles: skipped.files,
    creations: created.snapshot(),
  }
}

/** A principal that did nothing in the window: for `creep`, the clearest case of creep. */
export function emptyUsage(principal: string): Usage {
  return { principal, grants: [], unmapped: [], excluded: [], regions: [], recordings: [] }
}
