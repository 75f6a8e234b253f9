import { FINDING_CODES } from './findings.js'

/** docs/findings.md is generated from the registry so the two cannot drift (a test compares them). */
export function renderFindingsDoc(): string {
  const rows = Object.entries(FINDING_CODES)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, { severity, title }]) => `| \`${code}\` | ${severity} | ${title} |`)
  return [
    '# Findings',
    '',
    'Every data problem or notable fact iamtrail reports has a code from one registry (`src/findings.ts`).',
    'Errors mean the result may be incomplete: the command still writes what it could and exits with code 2.',
    'This page is generated: run `npm run docs:findings` after changing the registry.',
    '',
    '| code | severity | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}
