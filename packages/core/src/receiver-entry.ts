import { hash } from 'node:crypto';
import { addressKey, isValidEmail, normalizeEmail } from './email-address.ts';
import { parseTemplateData, type TemplateDataRefusal } from './template.ts';

/** Why one uploaded receiver entry was refused; each maps to one Tencent error code. */
export type ReceiverRefusal =
  | 'EmptyEmail'
  | 'TooLong'
  | 'InvalidEmail'
  | 'TemplateDataError'
  | 'TemplateDataLenLimit'
  | 'InValidTemplateData'
  | 'TemplateDataInconsistent';

/**
 * The verdict on one entry; `templateData` is absent when the entry carries no variables. A
 * refusal's `message` names the numbers behind it: the size and the limit (and its setting), or
 * the variables missing or unexpected and the ones the list expects.
 */
export type ReceiverEntryVerdict =
  | { readonly ok: true; readonly email: string; readonly templateData?: string; readonly keys: readonly string[] }
  | { readonly ok: false; readonly reason: ReceiverRefusal; readonly message: string };

/** How to judge entries of one list. */
export interface ReceiverEntryRules {
  /** Largest TemplateData in UTF-8 bytes, measured on the string as given. */
  readonly maxTemplateDataBytes: number;
  /**
   * The variable names every entry of the list must carry (any order), or undefined while the
   * list is empty and nothing is fixed yet. `[]` means the list holds plain addresses only.
   */
  readonly expectedKeys?: readonly string[];
}

/** Longest address accepted, in characters (RFC 5321 path limit); longer is `TooLong`, not `InvalidEmail`. */
export const MAX_RECEIVER_EMAIL_LENGTH = 254;

/** Separates the address from its TemplateData inside one list entry; no valid address contains it. */
export const ENTRY_SEPARATOR = '\x1f';

// Markup in a value: `<` followed by a letter, `/` or `!` (a tag, a closing tag, a comment or doctype).
// A lone `<` as in "a < b" stays allowed.
const HTML = /<[A-Za-z/!]/u;

function refuse(reason: ReceiverRefusal, message: string): ReceiverEntryVerdict {
  return { ok: false, reason, message };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const wanted = new Set(b);
  return a.every((k) => wanted.has(k));
}

const count = (n: number) => n.toLocaleString('en-US');

/** Says which variables an entry lacks or adds compared with the list's, and what the list expects. */
function keysMismatch(got: readonly string[], expected: readonly string[]): string {
  if (expected.length === 0) return `the list holds plain addresses (no TemplateData); this entry has the variables ${got.join(', ')}`;
  const have = new Set(got);
  const want = new Set(expected);
  const missing = expected.filter((k) => !have.has(k));
  const extra = got.filter((k) => !want.has(k));
  const parts = [
    ...(missing.length > 0 ? [`missing variables: ${missing.join(', ')}`] : []),
    ...(extra.length > 0 ? [`unexpected variables: ${extra.join(', ')}`] : []),
  ];
  return `${parts.join('; ')} (the list expects ${expected.join(', ')})`;
}

/**
 * Judges one upload entry. Guarantees on `ok`: `email` is a deliverable address (trimmed, domain
 * lower-cased); `templateData`, when present, is canonical JSON: a compact object in the keys'
 * given order whose values are all strings (numbers and booleans stringified), never `{}` (an empty
 * object counts as no data); `keys` are its variable names ([] without data). Checks run in order:
 * address (empty, too long, syntax), then data (size, JSON shape, markup, keys), so `reason` is the
 * first problem found.
 */
export function validateReceiverEntry(input: { email: string; templateData?: string | undefined }, rules: ReceiverEntryRules): ReceiverEntryVerdict {
  const email = input.email.trim();
  if (email === '') return refuse('EmptyEmail', 'the email address is empty');
  if (email.length > MAX_RECEIVER_EMAIL_LENGTH) {
    return refuse('TooLong', `the email address has more than ${MAX_RECEIVER_EMAIL_LENGTH} characters`);
  }
  if (!isValidEmail(email)) return refuse('InvalidEmail', 'not a valid email address');
  const data = input.templateData === undefined ? { ok: true as const, json: undefined, keys: [] } : parseEntryData(input.templateData, rules);
  if (!data.ok) return data.verdict;
  if (rules.expectedKeys !== undefined && !sameKeys(data.keys, rules.expectedKeys)) {
    return refuse('TemplateDataInconsistent', keysMismatch(data.keys, rules.expectedKeys));
  }
  return data.json === undefined
    ? { ok: true, email: normalizeEmail(email), keys: data.keys }
    : { ok: true, email: normalizeEmail(email), templateData: data.json, keys: data.keys };
}

type ParsedData = { ok: true; json: string | undefined; keys: readonly string[] } | { ok: false; verdict: ReceiverEntryVerdict };

// The shared TemplateData rule's refusals, as a list entry names them (Tencent's codes for lists).
const LIST_REFUSAL: Readonly<Record<TemplateDataRefusal, ReceiverRefusal>> = {
  TooLarge: 'TemplateDataLenLimit',
  NotJson: 'TemplateDataError',
  NotObject: 'TemplateDataError',
  BadValue: 'TemplateDataError',
};

function parseEntryData(raw: string, rules: ReceiverEntryRules): ParsedData {
  // The rule SendEmail and BatchSendEmail use too (packages/core/src/template.ts); a list adds the
  // markup check (Tencent documents it for list data only) and, in the caller, consistent keys.
  const verdict = parseTemplateData(raw, { maxBytes: rules.maxTemplateDataBytes });
  if (!verdict.ok) {
    // A size refusal names the limit and its setting (the CLI's import report quotes it).
    const message =
      verdict.refusal === 'TooLarge'
        ? `TemplateData is ${count(Buffer.byteLength(raw, 'utf8'))} bytes; the limit is ${count(rules.maxTemplateDataBytes)} (RECEIVER_TEMPLATE_DATA_MAX_BYTES)`
        : verdict.message;
    return { ok: false, verdict: refuse(LIST_REFUSAL[verdict.refusal], message) };
  }
  for (const [key, text] of Object.entries(verdict.data)) {
    if (HTML.test(text)) return { ok: false, verdict: refuse('InValidTemplateData', `the value of "${key}" contains HTML`) };
  }
  return { ok: true, json: verdict.keys.length === 0 ? undefined : JSON.stringify(verdict.data), keys: verdict.keys };
}

/** Encodes one list entry: the address alone, or `address\x1f<canonical TemplateData JSON>`. */
export function encodeEntry(email: string, templateData?: string): string {
  return templateData === undefined ? email : `${email}${ENTRY_SEPARATOR}${templateData}`;
}

/** Decodes what `encodeEntry` wrote; `templateData` is the JSON string, absent for a plain address. */
export function decodeEntry(raw: string): { email: string; templateData?: string } {
  const at = raw.indexOf(ENTRY_SEPARATOR);
  return at < 0 ? { email: raw } : { email: raw.slice(0, at), templateData: raw.slice(at + 1) };
}

/**
 * The de-duplication key of an address: the first 8 bytes of SHA-1 of its addressKey (so `A@X.com`
 * and `a@x.COM` are the same recipient; for every address Postmill accepts this is the whole
 * address lower-cased, the rule lists were stored by before addressKey existed). Two distinct addresses share
 * a fingerprint with probability ~n²/2⁶⁵ (≈3·10⁻⁸ in a 1,000,000-entry list).
 */
export function emailFingerprint(email: string): Buffer {
  return hash('sha1', addressKey(email), 'buffer').subarray(0, 8);
}

/** The bucket (0 … 2^bucketBits − 1) a fingerprint belongs to: its top `bucketBits` bits (0–24). */
export function fingerprintBucket(fp: Buffer, bucketBits: number): number {
  if (!Number.isInteger(bucketBits) || bucketBits < 0 || bucketBits > 24) throw new RangeError(`bucketBits must be 0-24, got ${bucketBits}`);
  return bucketBits === 0 ? 0 : fp.readUInt32BE(0) >>> (32 - bucketBits);
}

/**
 * The fewest bucket bits that keep every bucket at ≤ `fieldsPerBucket` fingerprints on average
 * for a list of `capacity` entries (capped at 24 bits).
 */
export function bucketBitsFor(capacity: number, fieldsPerBucket = 64): number {
  const needed = Math.ceil(Math.log2(Math.max(1, capacity / fieldsPerBucket)));
  return Math.min(24, Math.max(0, needed));
}
