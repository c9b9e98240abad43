import { describe, expect, it } from 'vitest';
import { SENDCLOUD_ACTIONS } from './action-registry.ts';

describe('SENDCLOUD_ACTIONS', () => {
  it('names each action once as <module>/<action> (compared case-insensitively, as requests are matched), each with GET or POST', () => {
    const paths = SENDCLOUD_ACTIONS.map((a) => a.path.toLowerCase());
    expect(new Set(paths).size).toBe(paths.length);
    for (const a of SENDCLOUD_ACTIONS) {
      expect(a.path, a.path).toMatch(/^[A-Za-z]+\/[A-Za-z]+$/u);
      expect(a.methods.length, a.path).toBeGreaterThan(0);
    }
  });

  it('serves apiuser/add, apiuser/list and userinfo/get', () => {
    expect(SENDCLOUD_ACTIONS.map((a) => a.path)).toEqual(expect.arrayContaining(['apiuser/add', 'apiuser/list', 'userinfo/get']));
  });
});
