import { parse as parseHcl } from '@cdktf/hcl2json'
import { describe, expect, it } from 'vitest'
import type { PolicyDocument } from '../../src/policy/document.js'
import { escapeHcl, renderTerraform } from '../../src/render/terraform.js'

// Names from events (a role name of a failed CreateRole, a tag key) that HCL would read as templates.
const hostile: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PassRole',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: [
        'arn:aws:iam::123456789012:role/x${nonsensitive(var.db_password)}',
        'arn:aws:iam::123456789012:role/y%{if true}z%{endif}',
      ],
      Condition: { StringEquals: { 'aws:RequestTag/${var.k}': '${file("/etc/passwd")}' } },
    },
  ],
}

/** Every `${` / `%{` HCL would interpolate: what is left once our placeholders and doubled `$$` / `%%` go. */
function liveTemplates(tf: string): string[] {
  const rest = tf
    .replace(/\$\{data\.aws_(caller_identity\.current\.account_id|region\.current\.name)\}/g, '')
    .replace(/\$\$|%%/g, '')
  return rest.match(/[$%]\{[^}]*\}?/g) ?? []
}

describe('Terraform output escapes what comes from events', () => {
  it('doubles ${ and %{ (a JavaScript replacement string would undo it)', () => {
    expect(escapeHcl('a${b}c%{d}')).toBe('a$${b}c%%{d}')
  })

  for (const portable of [false, true]) {
    it(`leaves no live interpolation in names, condition keys or values (portable: ${portable})`, async () => {
      const tf = renderTerraform([hostile], { portable, name: 'deployer', description: 'd' })
      expect(liveTemplates(tf)).toEqual([])
      expect(tf).toContain('role/x$${nonsensitive(var.db_password)}')
      expect(tf).toContain('%%{if true}')
      expect(tf).toContain('aws:RequestTag/$${var.k}')
      // A real HCL parser accepts it, and reads the names back as plain text.
      const parsed = JSON.stringify(await parseHcl('main.tf', tf))
      expect(parsed).not.toContain('var.db_password}"') // never a reference
      if (portable) expect(tf).toContain('${data.aws_caller_identity.current.account_id}')
    })
  }
})
