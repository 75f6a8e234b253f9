/**
 * `--portable`: the account id and region of the recording become placeholders each format
 * understands, so one policy serves every account and region it is deployed to.
 */
export interface Placeholders {
  account: string
  region: string
}

/** Replaces the literal account and region inside ARNs (never elsewhere). */
export function placehold(
  arn: string,
  literal: { accounts: readonly string[]; regions: readonly string[] },
  ph: Placeholders,
): string {
  const parts = arn.split(':')
  if (parts[0] !== 'arn' || parts.length < 6) return arn
  if (literal.regions.includes(parts[3]!)) parts[3] = ph.region
  if (literal.accounts.includes(parts[4]!)) parts[4] = ph.account
  // IAM-style ARNs embed the account in the resource of some types (`:root`) — not touched.
  return parts.join(':')
}

export function accountsAndRegions(resources: readonly string[]): { accounts: string[]; regions: string[] } {
  const accounts = new Set<string>()
  const regions = new Set<string>()
  for (const r of resources) {
    const p = r.split(':')
    if (p[0] !== 'arn' || p.length < 6) continue
    if (/^\d{12}$/.test(p[4]!)) accounts.add(p[4]!)
    if (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(p[3]!)) regions.add(p[3]!)
  }
  return { accounts: [...accounts], regions: [...regions] }
}
