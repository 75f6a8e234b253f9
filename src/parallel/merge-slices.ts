import type { Catalog } from '../catalog/catalog.js'
import type { FindingSink } from '../findings.js'
import { UsageAccumulator } from '../reduce/accumulate.js'
import { accountOf, partitionOf } from '../reduce/event-values.js'
import { roleArnOf } from '../reduce/implied.js'
import { emptyReduceState, finishReduce, type ReduceResult } from '../reduce/reduce-events.js'
import { CreationCollector } from '../synthesize/provenance.js'
import type { SlicePartial } from './slice.js'

/**
 * Folds slice partials, strictly in input order, into what one pass over all inputs gives: the same
 * usages, stats (with the same key order), findings in the same order, and the same catalog services.
 */
export class SliceMerger {
  private readonly state = emptyReduceState()
  private readonly profiles = new Map<string, string>()
  private readonly prefixes = new Set<string>()
  /** Services load while the workers read, not after them: a chain, one service at a time. */
  private loading: Promise<unknown> = Promise.resolve()
  /** Creations of every slice, in input order. */
  readonly created = new CreationCollector()
  filesWithErrors = 0
  skippedEvents = 0
  skippedFiles = 0

  constructor(
    private readonly sink: FindingSink,
    private readonly catalog: Catalog,
  ) {}

  absorb(p: SlicePartial): void {
    for (const f of p.findings) this.sink.report(f)
    const { stats } = this.state
    for (const k of ['eventsRead', 'matched', 'mapped', 'unmapped', 'excluded', 'denied'] as const) {
      stats[k] += p.stats[k]
    }
    for (const [reason, n] of Object.entries(p.stats.skipped)) {
      stats.skipped[reason] = (stats.skipped[reason] ?? 0) + n
    }
    for (const [principal, n] of p.principalsSeen) {
      this.state.principalsSeen.set(principal, (this.state.principalsSeen.get(principal) ?? 0) + n)
    }
    for (const snap of p.accumulators) {
      let acc = this.state.accumulators.get(snap.principal)
      if (!acc) {
        acc = new UsageAccumulator(snap.principal)
        this.state.accumulators.set(snap.principal, acc)
      }
      // The roles the earlier slices taught; this slice's own come after its calls.
      acc.absorb(snap, this.profiles)
    }
    for (const [profile, role] of p.profiles) this.profiles.set(profile, role)
    for (const prefix of p.prefixes) {
      if (this.prefixes.has(prefix)) continue
      this.prefixes.add(prefix)
      const { catalog } = this
      this.loading = this.loading.then(() => catalog.isLoaded(prefix) || catalog.ensureService(prefix))
      // Awaited in finish; until then a failure must not count as unhandled.
      this.loading.catch(() => {})
    }
    this.created.absorb(p.creations)
    this.filesWithErrors += p.filesWithErrors
    this.skippedEvents += p.skippedEvents
    this.skippedFiles += p.skippedFiles
  }

  /** Once every service the slices needed is in the catalog, finishes as reduceEvents does. */
  async finish(opts: Parameters<typeof finishReduce>[1]): Promise<ReduceResult> {
    await this.loading
    return finishReduce(this.state, opts, (profile, like) => {
      const role = this.profiles.get(profile)
      return role && like ? roleArnOf(role, partitionOf(like), accountOf(like)) : undefined
    })
  }
}
