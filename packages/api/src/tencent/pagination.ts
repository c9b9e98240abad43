import { ValidationError } from '@postmill/core';
import { z } from 'zod';

/** Tencent's uint64 `Offset`: guarantees a non-negative safe integer (0-based). */
export const pageOffset = z.number().int().nonnegative();

/**
 * Tencent's uint64 `Limit`: guarantees a non-negative safe integer. Its upper bound is a setting
 * (`Limits.maxPageLimit`), so it is checked in the handler with `checkPageLimit`, after the schema.
 */
export const pageLimit = z.number().int().nonnegative();

/** Guarantees `limit` ≤ `maxPageLimit`, else throws `FailedOperation.InvalidLimit` (Tencent's answer to Limit > 100). */
export function checkPageLimit(limit: number, maxPageLimit: number): void {
  if (limit > maxPageLimit) {
    throw new ValidationError('FailedOperation.InvalidLimit', `Limit may be at most ${maxPageLimit}, got ${limit}.`, { context: { limit, maxPageLimit } });
  }
}
