import { describe, expect, it } from 'vitest';
import { refusesReplays, TC3_REFUSES_REPLAYS_BY_DEFAULT } from './request-admission.ts';

describe('refusesReplays', () => {
  it('follows the dialect when the setting is unset: off for TC3, on for a dialect that signs a nonce', () => {
    expect(refusesReplays('dialect-default', TC3_REFUSES_REPLAYS_BY_DEFAULT)).toBe(false);
    expect(refusesReplays('dialect-default', true)).toBe(true);
  });

  it('lets API_REPLAY_PROTECTION=on or off win over any dialect default', () => {
    expect([refusesReplays('on', false), refusesReplays('on', true)]).toEqual([true, true]);
    expect([refusesReplays('off', false), refusesReplays('off', true)]).toEqual([false, false]);
  });
});
