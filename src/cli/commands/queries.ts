import type { Command } from 'commander'
import { format } from 'date-fns'
import { runAthenaQuery } from '../../collect/athena/athena.js'
import {
  loadDdl,
  loadQuery,
  type QueryName,
  type TableDdl,
  tableName,
} from '../../collect/athena/athena-sql.js'
import { IamtrailError } from '../../errors.js'
import {
  type AthenaOptions,
  addAthenaOptions,
  athenaClient,
  athenaRun,
  scanSummary,
} from '../athena-options.js'
import { parseRegions } from '../parse-options.js'

const QUERIES: readonly QueryName[] = ['principal-events', 'usage-by-principal', 'active-principals']
const TABLES: readonly TableDdl[] = ['cloudtrail-table-account', 'cloudtrail-table-organization']

interface QueriesOptions extends AthenaOptions {
  bucket?: string
  organization?: string
  regions?: string
  startDay?: string
}

/**
 * `iamtrail queries print|install`: the SQL of queries/, with the layout's values filled in after
 * strict validation, and the table DDL run through Athena.
 */
export function registerQueries(program: Command): Command {
  const queries = program
    .command('queries')
    .description(
      'Print iamtrail’s Athena SQL (queries/), or create the CloudTrail table with partition projection',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail queries print principal-events --database security --table cloudtrail
  $ iamtrail queries install --database security --table cloudtrail --bucket s3://trail-logs/ \\
      --accounts 123456789012 --regions eu-west-1,us-east-1 --output-location s3://athena-results/

See docs/athena.md.`,
    )
  const print = queries
    .command('print')
    .description('Print a query or the table DDL for your layout')
    .argument('<name>', [...TABLES, ...QUERIES].join(' | '))
  // print only fills in SQL: Athena's run options (workgroup, result location, scan limit) do nothing here.
  addLayoutOptions(
    print
      .option('--database <name>', 'the Glue database of the CloudTrail table')
      .option('--table <name>', 'the CloudTrail table')
      .option(
        '--accounts <list>',
        'DDL: comma-separated account ids the table reads (the account partition)',
      ),
  ).addHelpText(
    'after',
    `
Examples:
  $ iamtrail queries print cloudtrail-table-organization --database security --table cloudtrail \\
      --bucket s3://org-trail-logs/ --organization o-abc123def4 --accounts 111111111111,222222222222 --regions eu-west-1,us-east-1
  $ iamtrail queries print principal-events --database security --table cloudtrail`,
  )
  print.action((name: string, opts: QueriesOptions) => {
    process.stdout.write(sqlFor(name, opts))
  })
  const install = queries
    .command('install')
    .description('Create the CloudTrail table (CREATE EXTERNAL TABLE IF NOT EXISTS) through Athena')
  addLayoutOptions(addAthenaOptions(install))
    .option('--profile <profile>', 'AWS profile (as in the AWS CLI)')
    .option('--region <region>', 'AWS region of Athena (as in the AWS CLI)')
    .option('-q, --quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
Examples:
  $ iamtrail queries install --database security --table cloudtrail --bucket s3://trail-logs/ \\
      --accounts 123456789012 --regions eu-west-1,us-east-1 --output-location s3://athena-results/iamtrail/

Needs athena:StartQueryExecution, athena:GetQueryExecution, glue:CreateTable and the S3 access
Athena needs (docs/athena.md, docs/permissions.md).`,
    )
    .action(async (opts: QueriesOptions) => {
      const organization = opts.organization !== undefined
      const sql = sqlFor(organization ? 'cloudtrail-table-organization' : 'cloudtrail-table-account', opts)
      const athena = await athenaClient(opts)
      const { run, dispose } = athenaRun(opts)
      try {
        const rows = runAthenaQuery(athena, sql, [], { ...run, database: opts.database ?? 'default' })
        let next = await rows.next()
        while (!next.done) next = await rows.next()
        process.stderr.write(
          `iamtrail: table ${opts.database}.${opts.table} is ready; ${scanSummary(next.value.scannedBytes, next.value.queryId)}\n`,
        )
      } finally {
        dispose()
        athena.destroy()
      }
    })
  return queries
}

function addLayoutOptions(cmd: Command): Command {
  return cmd
    .option('--bucket <s3-uri>', 'DDL: the trail’s bucket and prefix, s3://BUCKET[/PREFIX]/')
    .option('--organization <id>', 'DDL: the organization id of an organization trail (o-…)')
    .option('--regions <list>', 'DDL: regions the trail logs (the region partition)')
    .option('--start-day <yyyy/MM/dd>', 'DDL: the first day of logs (default: 90 days ago)')
}

function sqlFor(name: string, opts: QueriesOptions): string {
  if ((QUERIES as readonly string[]).includes(name))
    return loadQuery(name as QueryName, tableName(opts.database ?? 'default', opts.table ?? 'cloudtrail'))
  if (!(TABLES as readonly string[]).includes(name))
    throw new IamtrailError(`${name}: use one of ${[...TABLES, ...QUERIES].join(', ')}`)
  tableName(opts.database ?? '', opts.table ?? '')
  if (!opts.bucket || !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w.\-/]*)?$/.test(opts.bucket))
    throw new IamtrailError('--bucket s3://BUCKET[/PREFIX]/ is needed for the table DDL (the trail’s bucket)')
  const org = opts.organization
  if (name === 'cloudtrail-table-organization' && (!org || !/^o-[a-z0-9]{10,32}$/.test(org)))
    throw new IamtrailError('--organization o-… is needed for the organization layout')
  const accounts = (opts.accounts ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  if (accounts.length === 0 || accounts.some((a) => !/^\d{12}$/.test(a)))
    throw new IamtrailError('--accounts: the account ids whose logs the table reads (the account partition)')
  const regions = parseRegions(opts.regions)
  if (regions.length === 0)
    throw new IamtrailError('--regions: the regions the trail logs (the region partition)')
  const startDay = opts.startDay ?? format(new Date(Date.now() - 90 * 86_400_000), 'yyyy/MM/dd')
  if (!/^\d{4}\/\d{2}\/\d{2}$/.test(startDay)) throw new IamtrailError('--start-day: yyyy/MM/dd')
  const prefix = opts.bucket.endsWith('/') ? opts.bucket : `${opts.bucket}/`
  return loadDdl(name as TableDdl, {
    database: opts.database!,
    table: opts.table!,
    bucket_prefix: `${prefix}AWSLogs/${name === 'cloudtrail-table-organization' ? `${org}/` : ''}`,
    accounts: accounts.join(','),
    regions: regions.join(','),
    start_day: startDay,
  })
}
