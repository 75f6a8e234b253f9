/**
 * Escaping for text that comes from events — names, ARNs, error messages, call names — in each
 * output it reaches. Anyone who can choose the name of a resource an application touches chooses
 * these strings: a `|` or newline must not break a markdown table or start a heading, a backtick
 * must not close a code span, an ANSI escape must not repaint the reviewer's terminal.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g

const visible = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`

/** One value on a terminal line: control characters (ESC, CR, newline) are shown, not obeyed. */
export function terminalSafe(s: string): string {
  return s.replace(CONTROL, visible)
}

/** A block iamtrail composed from values, one line per `\n`: only its own newlines stay. */
export function terminalBlock(s: string): string {
  return s.replace(CONTROL_BUT_NEWLINE, visible)
}

/** Plain markdown text (a table cell, a list item): markup characters are literal, one line. */
export function mdText(s: string): string {
  return (
    terminalSafe(s)
      .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
      // Only at the start do these open a heading, a list or a setext underline.
      .replace(/^([-+=#]|\d+[.)])/, '\\$1')
  )
}

/**
 * An inline code span. The fence is one backtick longer than the longest run inside, so the value
 * cannot close it; in a table a `|` still ends the cell unless escaped (GFM reads `\|` as `|` there).
 */
export function mdCode(s: string, opts: { inTable?: boolean } = {}): string {
  let v = terminalSafe(s)
  if (opts.inTable !== false) v = v.replace(/\|/g, '\\|')
  const longest = Math.max(0, ...(v.match(/`+/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(longest + 1)
  const pad = v.startsWith('`') || v.endsWith('`') || v.startsWith(' ') ? ' ' : ''
  return `${fence}${pad}${v}${pad}${fence}`
}

/** A fenced block: the fence is longer than any backtick run in the text, so nothing closes it early. */
export function mdFence(lang: string, text: string): string[] {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((r) => r.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return [`${fence}${lang}`, text, fence]
}
