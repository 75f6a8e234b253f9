import type { Command } from 'commander'
import { Catalog } from '../../catalog/catalog.js'
import { readInputs } from '../../collect/files/files.js'
import { IamtrailError } from '../../errors.js'
import { FindingList } from '../../findings.js'
import { createMapper } from '../../reduce/create-mapper.js'
import { explainCall, explainEvent, explainPrefixes, renderCallExplanation } from '../../reduce/explain.js'
import { terminalBlock, terminalSafe } from '../../render/escape.js'

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'Show the IAM actions, resources and inferred permissions an event maps to, and the rule behind each',
    )
    .argument('[eventSource]', 'e.g. s3.amazonaws.com')
    .argument('[eventName]', 'e.g. PutBucketReplication')
    .option('-e, --event <file>', 'explain every event in a file (any input format, - for stdin)')
    .option('--format <format>', 'text or json (the call explanation, for scripts)', 'text')
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail explain s3.amazonaws.com PutBucketReplication
  $ iamtrail explain lambda.amazonaws.com CreateFunction20150331
  $ iamtrail explain iam.amazonaws.com CreateRole --format json
  $ iamtrail explain --event one-event.json

Exits 1 when nothing covers the call (its events would be reported unmapped).`,
    )
    .action(
      async (
        eventSource: string | undefined,
        eventName: string | undefined,
        opts: { event?: string; format: string },
      ) => {
        const catalog = new Catalog()
        if (opts.event) {
          // Events of a file are mapped in order, so instance profiles learned earlier resolve later ones.
          const mapper = createMapper(catalog)
          const sink = new FindingList()
          const stats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
          for await (const { event } of readInputs([opts.event], {}, { sink }, stats)) {
            for (const p of mapper.prefixesFor(event)) await catalog.ensureService(p)
            process.stdout.write(terminalBlock(explainEvent(event, mapper.map(event))))
          }
          for (const f of sink.items)
            process.stderr.write(
              `iamtrail: ${f.severity}: ${terminalSafe(f.where ?? '')}: ${terminalSafe(f.detail)} [${f.code}]\n`,
            )
          if (stats.filesWithErrors) process.exitCode = 2
          return
        }
        if (!eventSource || !eventName)
          throw new IamtrailError('give an eventSource and an eventName, or --event FILE')
        if (opts.format !== 'text' && opts.format !== 'json')
          throw new IamtrailError(`--format must be text or json, not ${JSON.stringify(opts.format)}`)
        for (const p of explainPrefixes(eventSource, eventName)) await catalog.ensureService(p)
        const x = explainCall(catalog, eventSource, eventName)
        process.stdout.write(
          opts.format === 'json'
            ? `${JSON.stringify(x, null, 2)}\n`
            : terminalBlock(renderCallExplanation(x)),
        )
        if (!x.known) {
          process.stderr.write(
            `iamtrail: nothing covers ${terminalSafe(eventSource)} ${terminalSafe(eventName)}: its events would be unmapped\n`,
          )
          process.exitCode = 1
        }
      },
    )
}
