import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** One action of a SAR "API operations" line, with the static condition values the page gives. */
export interface SarAction {
  action: string
  condition?: Record<string, string[]>
}

export interface SarOperation {
  prefix: string
  /** The SDK client of the page section (`lambda`, or `s3control` after a `## sdk:` line). */
  sdk: string
  operation: string
  actions: SarAction[]
}

/** Parses `../shared/data/reference/sar-operations/*.txt` (format in that folder's README). */
export function readSarOperations(dir: string): SarOperation[] {
  const out: SarOperation[] = []
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    let prefix = file.replace(/\.txt$/, '')
    let sdk = prefix
    for (const raw of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const line = raw.trim()
      const header = /^# prefix:\s*(\S+)/.exec(line)
      if (header) {
        prefix = header[1]!
        sdk = prefix
        continue
      }
      const section = /^## sdk:\s*(\S+)/.exec(line)
      if (section) {
        sdk = section[1]!
        continue
      }
      if (line === '' || line.startsWith('#')) continue
      const colon = line.indexOf(':')
      if (colon < 0) {
        out.push({ prefix, sdk, operation: line, actions: [{ action: `${prefix}:${line}` }] })
        continue
      }
      const operation = line.slice(0, colon).trim()
      const actions = splitActions(line.slice(colon + 1)).map(parseAction)
      out.push({ prefix, sdk, operation, actions })
    }
  }
  return out
}

/** Splits on commas outside `{…}`. */
function splitActions(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of text) {
    if (ch === '{') depth++
    if (ch === '}') depth--
    if (ch === ',' && depth === 0) {
      parts.push(current.trim())
      current = ''
    } else current += ch
  }
  if (current.trim()) parts.push(current.trim())
  return parts
}

function parseAction(text: string): SarAction {
  const brace = text.indexOf('{')
  if (brace < 0) return { action: text }
  const action = text.slice(0, brace)
  const condition: Record<string, string[]> = {}
  const body = text.slice(brace + 1, text.lastIndexOf('}'))
  const eq = body.indexOf('=')
  condition[body.slice(0, eq)] = body
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
  return { action, condition }
}

/** iam-dataset's iam:PassRole mappings: SDK call → the request members that carry the role. */
export interface DatasetPassRole {
  prefix: string
  operation: string
  members: string[]
}

export function readIamDatasetPassRoles(mapJson: string): DatasetPassRole[] {
  const map = JSON.parse(readFileSync(mapJson, 'utf8')) as {
    sdk_method_iam_mappings: Record<string, { action: string; [k: string]: unknown }[]>
    sdk_service_mappings: Record<string, string>
  }
  const out: DatasetPassRole[] = []
  for (const [call, entries] of Object.entries(map.sdk_method_iam_mappings)) {
    const [sdkClass, operation] = call.split('.') as [string, string]
    const prefix = map.sdk_service_mappings[sdkClass]
    if (!prefix || !operation) continue
    for (const e of entries) {
      if (e.action !== 'iam:PassRole') continue
      const members = new Set<string>()
      // Templates name the member: `${Role}`, `${TaskDefinition.TaskRoleArn}`, `${Roles[]}`.
      for (const m of JSON.stringify(e).matchAll(/\$\{([A-Za-z0-9_.[\]]+)\}/g)) {
        const leaf = m[1]!.replace(/\[\]/g, '').split('.').pop()!
        if (!/^(Partition|Region|Account)$/.test(leaf)) members.add(leaf)
      }
      out.push({ prefix, operation, members: [...members] })
    }
  }
  return out
}
