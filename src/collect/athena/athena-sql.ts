import { readFileSync } from 'node:fs'
import { format } from 'date-fns'
import { IamtrailError } from '../../errors.js'

/** The SQL files ship with the package (`files` in package.json), beside dist/. */
const QUERIES = new URL('../../../queries/', import.meta.url)

export type QueryName = 'principal-events' | 'usage-by-principal' | 'active-principals'
export type TableDdl = 'cloudtrail-table-account' | 'cloudtrail-table-organization'

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/

/** `database.table` after strict validation: identifiers cannot be parameters, so nothing else gets in. */
export function tableName(database: string, table: string): string {
  for (const [what, v] of [
    ['--database', database],
    ['--table', table],
  ] as const) {
    if (!IDENT.test(v))
      throw new IamtrailError(
        `${what} ${JSON.stringify(v)}: letters, digits and _ only, starting with a letter or _`,
      )
  }
  return `${database}.${table}`
}

export function loadQuery(name: QueryName, table: string): string {
  return readFileSync(new URL(`${name}.sql`, QUERIES), 'utf8').replaceAll('{{table}}', table)
}

export interface WindowParams {
  start: Date
  end: Date
  regions: readonly string[]
  /** Account ids to read (the account partition); none = every account of the table. */
  accounts?: readonly string[]
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/
const PRINCIPAL = /^(arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]+|A[KS]IA[A-Z0-9]{12,})$/

/** Positional values for the window part every query shares: days, regions, accounts (twice each), times. */
export function windowParams(w: WindowParams): string[] {
  for (const r of w.regions)
    if (!REGION.test(r)) throw new IamtrailError(`--regions: ${JSON.stringify(r)} is not an AWS region`)
  const accountList = w.accounts ?? []
  for (const a of accountList)
    if (!/^\d{12}$/.test(a)) throw new IamtrailError(`--accounts: ${JSON.stringify(a)} is not an account id`)
  const regions = w.regions.length ? `,${w.regions.join(',')},` : ''
  const accounts = accountList.length ? `,${accountList.join(',')},` : ''
  const day = (d: Date) => format(new Date(d.getTime() + d.getTimezoneOffset() * 60_000), 'yyyy/MM/dd')
  return [
    day(w.start),
    day(w.end),
    regions,
    regions,
    accounts,
    accounts,
    w.start.toISOString().replace('.000Z', 'Z'),
    w.end.toISOString().replace('.000Z', 'Z'),
  ]
}

export function principalEventsParams(w: WindowParams, principal: string): string[] {
  if (!PRINCIPAL.test(principal))
    throw new IamtrailError(`${JSON.stringify(principal)} is not a principal ARN or access key id`)
  return [...windowParams(w), principal, principal, principal]
}

export function usageParams(w: WindowParams, principalPrefix: string): string[] {
  if (principalPrefix !== '' && !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]*$/.test(principalPrefix)) {
    throw new IamtrailError(`${JSON.stringify(principalPrefix)} is not a principal ARN prefix`)
  }
  return [...windowParams(w), principalPrefix, principalPrefix]
}

/** Athena execution parameters are SQL literals: strings go in quoted, quotes doubled. */
export function athenaLiteral(v: string): string {
  return `'${v.replace(/'/g, "''")}'`
}

export function loadDdl(which: TableDdl, values: Record<string, string>): string {
  const text = readFileSync(new URL(`${which}.sql`, QUERIES), 'utf8')
  return text.replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    const v = values[k]
    if (v === undefined) throw new IamtrailError(`the table DDL needs --${k.replace(/_/g, '-')}`)
    if (/['\\]/.test(v))
      throw new IamtrailError(`--${k.replace(/_/g, '-')} may not contain quotes or backslashes`)
    return v
  })
}
