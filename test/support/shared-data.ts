import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, whatever directory vitest was started from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/**
 * Public corpora live beside the repository in ../shared/data and are never copied into it.
 * Tests that need them call `sharedData(...)` and skip, visibly, when it is absent.
 */
export const SHARED_DATA = process.env.IAMTRAIL_SHARED_DATA ?? join(REPO_ROOT, '..', 'shared', 'data')

export function sharedData(...parts: string[]): string | undefined {
  const p = join(SHARED_DATA, ...parts)
  if (existsSync(p)) return p
  console.warn(`[skip] shared data not found: ${p} (set IAMTRAIL_SHARED_DATA to run this test)`)
  return undefined
}

export const INVICTUS_LOGS = ['cloudtrail', 'invictus-aws-dataset', 'CloudTrail'] as const
export const BERT_JAN = 'arn:aws:iam::123837392027:user/bert-jan'
