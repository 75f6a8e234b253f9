import type { Command } from 'commander'
import { Catalog } from '../../catalog/catalog.js'
import { readInputs } from '../../collect/files/files.js'
import { IamtrailError } from '../../errors.js'
import { FindingList } from '../../findings.js'
import { createMapper } from '../../reduce/create-mapper.js'
import { explainCall, explainEvent } from '../../reduce/explain.js'
import { servicePrefixOf } from '../../reduce/service-prefix.js'

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'Show the IAM actions, resources and inferred permissions an event maps to, and the rule behind each',
    )
    .argument('[eventSource]', 'e.g. s3.amazonaws.com')
    .argument('[eventName]', 'e.g. PutBucketReplication')
    .option('-e, --event <file>', 'explain every event in a file (any input format, - for stdin)')
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail explain s3.amazonaws.com PutBucketReplication
  $ iamtrail explain lambda.amazonaws.com CreateFunction20150331
  $ iamtrail explain --event one-event.json`,
    )
    .action(
      async (eventSource: string | undefined, eventName: string | undefined, opts: { event?: string }) => {
        const catalog = new Catalog()
        if (opts.event) {
          // Events of a file are mapped in order, so instance profiles learned earlier resolve later ones.
          const mapper = createMapper(catalog)
          const sink = new FindingList()
          const stats = { filesRead: 0, filesSkipped: 0, filesWithErrors: 0 }
          for await (const { event } of readInputs([opts.event], {}, { sink }, stats)) {
            for (const p of mapper.prefixesFor(event)) await catalog.ensureService(p)
            process.stdout.write(explainEvent(event, mapper.map(event)))
          }
          for (const f of sink.items)
            process.stderr.write(`iamtrail: ${f.severity}: ${f.where ?? ''}: ${f.detail} [${f.code}]\n`)
          if (stats.filesWithErrors) process.exitCode = 2
          return
        }
        if (!eventSource || !eventName)
          throw new IamtrailError('give an eventSource and an eventName, or --event FILE')
        await catalog.ensureService(servicePrefixOf(eventSource))
        await catalog.ensureService('iam')
        process.stdout.write(explainCall(catalog, eventSource, eventName))
      },
    )
}
