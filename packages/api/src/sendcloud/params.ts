import { SendCloudFailure } from './sendcloud-failure.ts';
import type { SendCloudStatusCode } from './status-codes.ts';

/** One `attachments` part of a multipart request. */
export interface SendCloudAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/**
 * The parameters of one SendCloud request: form fields (urlencoded or multipart) over query
 * fields of the same name, and the `attachments` file parts. Names are case-sensitive, as
 * SendCloud's. Guarantees: every read that refuses throws SendCloudFailure with the code the
 * caller names (SendCloud has one code per parameter and problem), never anything else.
 */
export class SendCloudParams {
  constructor(
    private readonly values: ReadonlyMap<string, string>,
    readonly attachments: readonly SendCloudAttachment[] = [],
  ) {}

  /** Every parameter name present (for logging and fuzzing; values are not exposed). */
  names(): string[] {
    return [...this.values.keys()];
  }

  /** True when the parameter was sent, even with an empty value (SendCloud's "不能为空串" codes refuse that). */
  present(name: string): boolean {
    return this.values.has(name);
  }

  /** The raw value, or undefined when absent or empty. */
  optional(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : v;
  }

  /** The value; `missing` when absent or empty. */
  required(name: string, missing: SendCloudStatusCode): string {
    const v = this.optional(name);
    if (v === undefined) throw new SendCloudFailure(missing, `${name} is required`);
    return v;
  }

  /** A `;`-separated list, trimmed, empty items dropped; [] when absent. */
  list(name: string): string[] {
    const v = this.optional(name);
    if (v === undefined) return [];
    return v
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  /** A decimal integer in [min, max]; undefined when absent; `invalid` otherwise. */
  optionalInt(name: string, invalid: SendCloudStatusCode, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.optional(name)?.trim();
    if (v === undefined) return undefined;
    const n = /^-?\d{1,16}$/u.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < (range.min ?? Number.MIN_SAFE_INTEGER) || n > (range.max ?? Number.MAX_SAFE_INTEGER)) {
      throw new SendCloudFailure(
        invalid,
        `${name} must be an integer${range.min === undefined ? '' : ` ≥ ${range.min}`}${range.max === undefined ? '' : ` ≤ ${range.max}`}`,
      );
    }
    return n;
  }

  /** `true`/`false` (any case; also `1`/`0`); undefined when absent; `invalid` otherwise. */
  optionalBool(name: string, invalid: SendCloudStatusCode): boolean | undefined {
    const v = this.optional(name)?.trim().toLowerCase();
    if (v === undefined) return undefined;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new SendCloudFailure(invalid, `${name} must be true or false`);
  }
}
