import { describe, expect, it } from 'vitest'
import { deliveryTimeOfKey, inWindow, keyOutsideWindow } from '../../src/events/time-window.js'

const w = { start: new Date('2026-11-20T10:00:00Z'), end: new Date('2026-11-20T10:30:00Z') }
const key = (t: string) => `123456789012_CloudTrail_eu-west-1_${t}_AbCdEfGhIjKlMnOp.json.gz`

describe('time windows', () => {
  it('is closed at the start and open at the end', () => {
    expect(inWindow('2026-11-20T10:00:00Z', w)).toBe(true)
    expect(inWindow('2026-11-20T09:59:59Z', w)).toBe(false)
    expect(inWindow('2026-11-20T10:29:59Z', w)).toBe(true)
    expect(inWindow('2026-11-20T10:30:00Z', w)).toBe(false)
    expect(inWindow('not a time', w)).toBe(false)
    expect(inWindow('2001-01-01T00:00:00Z', {})).toBe(true)
  })
  it('reads the delivery time from an S3 key', () => {
    expect(deliveryTimeOfKey(key('20261120T1005Z'))?.toISOString()).toBe('2026-11-20T10:05:00.000Z')
    expect(deliveryTimeOfKey('events.json')).toBeUndefined()
  })
  it('skips files delivered before the window (with slack) or long after it, never others', () => {
    expect(keyOutsideWindow(key('20261120T0930Z'), w)).toBe(true)
    // Stamped just before the start: may still hold events of the first minutes.
    expect(keyOutsideWindow(key('20261120T0958Z'), w)).toBe(false)
    expect(keyOutsideWindow(key('20261120T1045Z'), w)).toBe(false)
    expect(keyOutsideWindow(key('20261121T1045Z'), w)).toBe(true)
    expect(keyOutsideWindow('events.json', w)).toBe(false)
  })
})
