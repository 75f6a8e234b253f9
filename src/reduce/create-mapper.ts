import type { Catalog } from '../catalog/catalog.js'
import { createEventMapper } from './actions.js'
import type { EventMapper } from './mapping.js'

/** The mapper every command uses. */
export function createMapper(catalog: Catalog): EventMapper {
  return createEventMapper(catalog)
}
