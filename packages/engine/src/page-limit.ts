import { EngineError } from '@postmill/core';

/** Guarantees `limit` ≤ `maxPageLimit`, else refuses with `limit-exceeded` (`page-size`). */
export function checkPageLimit(limit: number, maxPageLimit: number): void {
  if (limit > maxPageLimit) {
    throw new EngineError('limit-exceeded', (f) => `${f('limit')} may be at most ${maxPageLimit}, got ${limit}.`, {
      context: { limit: 'page-size', max: maxPageLimit, count: limit },
    });
  }
}
