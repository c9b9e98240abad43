import { z } from 'zod';

/** Tencent's uint64 `Offset`: guarantees a non-negative safe integer (0-based). */
export const pageOffset = z.number().int().nonnegative();

/**
 * Tencent's uint64 `Limit`: guarantees a non-negative safe integer. Its upper bound is a setting
 * (`Limits.maxPageLimit`), so the engine checks it, after the schema.
 */
export const pageLimit = z.number().int().nonnegative();
