import { invalid, missing } from './aliyun-api-error.ts';

/**
 * Typed reads of a DirectMail action's parameters (names are case-sensitive, as the vendor's).
 * Guarantees: a required parameter that is absent or empty throws `Missing<Name>`; a value of the
 * wrong form throws `Invalid<Name>` saying what was expected; nothing else is ever thrown.
 */
export class ActionParams {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** The raw value, or undefined when absent or empty. */
  optional(name: string, options: { maxLength?: number } = {}): string | undefined {
    const v = this.values.get(name);
    if (v === undefined || v === '') return undefined;
    if (options.maxLength !== undefined && [...v].length > options.maxLength) throw invalid(name, `at most ${options.maxLength} characters.`);
    return v;
  }

  required(name: string, options: { maxLength?: number } = {}): string {
    const v = this.optional(name, options);
    if (v === undefined) throw missing(name);
    return v;
  }

  /** An integer in [min, max]; `fallback` when absent. */
  optionalInt(name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d{1,16}$/u.test(v.trim())) throw invalid(name, `an integer is expected, got "${v.slice(0, 40)}".`);
    const n = Number(v.trim());
    if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(name, `must be between ${min} and ${max}.`);
    return n;
  }

  int(name: string, options: { min?: number; max?: number; fallback: number }): number {
    return this.optionalInt(name, options) ?? options.fallback;
  }

  requiredInt(name: string, options: { min?: number; max?: number } = {}): number {
    const n = this.optionalInt(name, options);
    if (n === undefined) throw missing(name);
    return n;
  }

  /** `true`/`false` in any case (also `1`/`0`); undefined when absent. */
  optionalBool(name: string): boolean | undefined {
    const v = this.optional(name)?.trim().toLowerCase();
    if (v === undefined) return undefined;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalid(name, 'true or false is expected.');
  }

  /** One of `allowed` (exact); undefined when absent. */
  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v)) throw invalid(name, `one of ${allowed.join(', ')} is expected.`);
    return v as T;
  }

  requiredOneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.optionalOneOf(name, allowed);
    if (v === undefined) throw missing(name);
    return v;
  }

  /** A page: PageNo from 1 (default 1) and PageSize within [1, maxSize] (default `defaultSize`). */
  page(options: { defaultSize: number; maxSize: number }): { pageNo: number; pageSize: number; offset: number } {
    const pageNo = this.int('PageNo', { min: 1, max: 1_000_000, fallback: 1 });
    const pageSize = this.int('PageSize', { min: 1, max: options.maxSize, fallback: options.defaultSize });
    return { pageNo, pageSize, offset: (pageNo - 1) * pageSize };
  }
}
