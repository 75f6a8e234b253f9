/** Writes every scenario's deploy.rec and teardown.rec: `npx tsx test/scenarios/generate.ts`. */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as jets from './jets/generate.js'
import { writeScenario } from './kit.js'
import * as opsworks from './opsworks/generate.js'
import * as ownstak from './ownstak/generate.js'
import * as secProvisioner from './sec-provisioner/generate.js'
import * as serverless from './serverless/generate.js'

export const SCENARIOS = { ownstak, jets, opsworks, 'sec-provisioner': secProvisioner, serverless } as const

const here = fileURLToPath(new URL('.', import.meta.url))
for (const [name, s] of Object.entries(SCENARIOS)) {
  await writeScenario(join(here, name), 'deploy', s.PRINCIPAL, s.deploy())
  await writeScenario(join(here, name), 'teardown', s.PRINCIPAL, s.teardown())
}
