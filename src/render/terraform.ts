import { asArray, type PolicyDocument } from '../policy/document.js'
import { accountsAndRegions, placehold } from './portable.js'

export interface TerraformOptions {
  portable: boolean
  /** The IAM policy name, as given; the resource label is derived from it (labels take no `.`, `@`...). */
  name: string
  description: string
}

/**
 * `aws_iam_policy` resources with `jsonencode`, in the layout `terraform fmt` produces (two-space
 * indent, `=` aligned within a block). `--portable` interpolates the account id and region from
 * `data.aws_caller_identity` and `data.aws_region`.
 */
export function renderTerraform(docs: PolicyDocument[], opts: TerraformOptions): string {
  return renderTerraformGroups([{ name: opts.name, description: opts.description, docs }], opts.portable)
}

/** The documents of one identity, under one IAM policy name (split parts get -1, -2, …). */
export interface TerraformGroup {
  name: string
  description: string
  docs: PolicyDocument[]
  /** Lines said above the group's resources (who the identity is, how the deploy reached it). */
  comment?: string[]
}

/** Several identities' policies in one file, each group with its names and its comment. */
export function renderTerraformGroups(groups: TerraformGroup[], portable: boolean): string {
  const literal = accountsAndRegions(
    groups.flatMap((g) => g.docs.flatMap((d) => d.Statement.flatMap((s) => asArray(s.Resource)))),
  )
  const out: string[] = []
  if (portable) {
    out.push('data "aws_caller_identity" "current" {}', '', 'data "aws_region" "current" {}', '')
  }
  for (const group of groups) {
    for (const line of group.comment ?? []) out.push(`# ${hclComment(line)}`)
    out.push(...groupResources(group, portable, literal))
  }
  return out.join('\n')
}

function groupResources(
  group: TerraformGroup,
  portable: boolean,
  literal: { accounts: string[]; regions: string[] },
): string[] {
  const { docs } = group
  const opts = { ...group, portable }
  const out: string[] = []
  docs.forEach((doc, i) => {
    const name = `${opts.name}${docs.length > 1 ? `-${i + 1}` : ''}`
    const label = terraformLabel(`${opts.name}${docs.length > 1 ? `_${i + 1}` : ''}`)
    // Portable output carries live interpolations (the placeholders), so every string from the
    // document is escaped first, the placeholders put in after, and nothing escaped again.
    const escaped = opts.portable ? (escapeAllStrings(doc) as PolicyDocument) : doc
    const body = opts.portable
      ? {
          ...escaped,
          Statement: escaped.Statement.map((s) => ({
            ...s,
            Resource: asArray(s.Resource).map((r) =>
              placehold(r, literal, {
                account: '${data.aws_caller_identity.current.account_id}',
                region: '${data.aws_region.current.name}',
              }),
            ),
          })),
        }
      : doc
    out.push(
      `resource "aws_iam_policy" "${label}" {`,
      ...alignBlock(
        [
          ['name', hclString(name)],
          [
            'description',
            hclString(`${opts.description}${docs.length > 1 ? ` (part ${i + 1} of ${docs.length})` : ''}`),
          ],
          ['policy', `jsonencode(${hclValue(body, '  ', !opts.portable)})`],
        ],
        '  ',
      ),
      '}',
      '',
    )
  })
  return out
}

/** A comment line holds no line break (which would end it and start HCL) and no control character. */
function hclComment(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
}

/** A Terraform identifier in the usual snake case: letters, digits and `_`, not starting with a digit. */
function terraformLabel(name: string): string {
  const label = name.replace(/[^A-Za-z0-9_]/g, '_')
  return /^[0-9]/.test(label) ? `_${label}` : label
}

/** HCL reads `${` and `%{` in a quoted string as a template: doubled, they are literal text. A function
 * replacement, because in a replacement string `$$` is itself an escape for one `$`. */
function escapeAllStrings(v: unknown): unknown {
  if (typeof v === 'string') return escapeHcl(v)
  if (Array.isArray(v)) return v.map(escapeAllStrings)
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [escapeHcl(k), escapeAllStrings(x)]))
  }
  return v
}

export function escapeHcl(s: string): string {
  return s.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')
}

function hclString(s: string, escaped = true): string {
  const body = JSON.stringify(s)
  return escaped ? escapeHcl(body) : body
}

function key(k: string, escaped: boolean): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : hclString(k, escaped)
}

/**
 * `terraform fmt` aligns the `=` of consecutive attributes; an attribute whose value spans lines
 * closes the run it is in.
 */
function alignBlock(pairs: [string, string][], indent: string): string[] {
  const lines: string[] = []
  let run: [string, string][] = []
  const flush = () => {
    const width = Math.max(...run.map(([k]) => k.length))
    for (const [k, v] of run) lines.push(`${indent}${k.padEnd(width)} = ${v}`)
    run = []
  }
  for (const pair of pairs) {
    run.push(pair)
    if (pair[1].includes('\n')) flush()
  }
  if (run.length) flush()
  return lines
}

function hclValue(v: unknown, indent: string, escapeStrings: boolean): string {
  if (typeof v === 'string') return hclString(v, escapeStrings)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  const inner = `${indent}  `
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]'
    return `[\n${v.map((x) => `${inner}${hclValue(x, inner, escapeStrings)},`).join('\n')}\n${indent}]`
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined)
  if (entries.length === 0) return '{}'
  const lines = alignBlock(
    entries.map(([k, x]) => [key(k, escapeStrings), hclValue(x, inner, escapeStrings)]),
    inner,
  )
  return `{\n${lines.join('\n')}\n${indent}}`
}
