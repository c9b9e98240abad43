import { InvalidArgumentError } from 'commander';

/** A commander parser for an integer in [min, max]; the message names the range. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/u.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Ids (ReceiverId, TaskId, TemplateID) are Tencent uint64s; Postmill's start at 1. */
export const id = integer(0);
