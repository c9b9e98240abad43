import { isValidEmail, normalizeEmail } from '@postmill/core';
import { SendCloudFailure } from '../sendcloud-failure.ts';

/** A parsed `xsmtpapi`: recipients, each with the variables of its own mail. */
export interface XSmtpApi {
  /** Normalised addresses, in the order given. */
  readonly to: readonly string[];
  /** Per recipient (aligned with `to`): variable (with its `%`) → value, sections already expanded. */
  readonly variables: readonly ReadonlyMap<string, string>[];
}

function malformed(detail: string): SendCloudFailure {
  return new SendCloudFailure(40813, detail);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `sub` or `section` value: strings, and numbers written as JSON writes them (`288`). */
function scalar(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw malformed(`${where} must be a string or a number`);
}

/**
 * Parses the `xsmtpapi` JSON of mail/send and mail/sendtemplate (B.5). Guarantees on return: `to`
 * has 1 to `maxRecipients` (SENDCLOUD_MAX_RECIPIENTS, SendCloud's 100) valid addresses, and every
 * recipient has a value for every `sub` key (values are positional: the i-th value is the i-th
 * recipient's), with `%key%` references to `section` replaced in it. Refusals: 40817 not JSON;
 * 40814 JSON `null`; 40813 not an object, or `to`, `sub`, `section` of the wrong shape, or a `sub`
 * array shorter than `to`; 40815 no `to`; 40816 `to` empty; 40827 more than `maxRecipients`;
 * 40880 an address in `to` that is not one.
 */
export function parseXSmtpApi(raw: string, options: { readonly maxRecipients: number }): XSmtpApi {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SendCloudFailure(40817, 'xsmtpapi is not JSON');
  }
  if (parsed === null) throw new SendCloudFailure(40814);
  if (!isObject(parsed)) throw malformed('xsmtpapi must be a JSON object');
  if (!('to' in parsed)) throw new SendCloudFailure(40815);
  const toRaw = parsed.to;
  if (!Array.isArray(toRaw)) throw malformed('xsmtpapi.to must be an array of addresses');
  if (toRaw.length === 0) throw new SendCloudFailure(40816);
  if (toRaw.length > options.maxRecipients) {
    throw new SendCloudFailure(40827, `${toRaw.length} addresses; at most ${options.maxRecipients} (SENDCLOUD_MAX_RECIPIENTS)`);
  }
  const to = toRaw.map((a) => {
    if (typeof a !== 'string' || !isValidEmail(a.trim())) throw new SendCloudFailure(40880, `${JSON.stringify(a)}`);
    return normalizeEmail(a.trim());
  });

  const section = parsed.section ?? {};
  if (!isObject(section)) throw malformed('xsmtpapi.section must be an object');
  const sections = new Map(Object.entries(section).map(([k, v]) => [`%${k}%`, scalar(v, `xsmtpapi.section.${k}`)]));

  const sub = parsed.sub ?? {};
  if (!isObject(sub)) throw malformed('xsmtpapi.sub must be an object');
  const columns = Object.entries(sub).map(([key, values]) => {
    if (key === '') throw malformed('xsmtpapi.sub has an empty variable name');
    if (!Array.isArray(values)) throw malformed(`xsmtpapi.sub.${key} must be an array`);
    if (values.length < to.length) throw malformed(`xsmtpapi.sub.${key} has ${values.length} values for ${to.length} recipients`);
    return { key, values: values.map((v, i) => substitute(scalar(v, `xsmtpapi.sub.${key}[${i}]`), sections)) };
  });
  const variables = to.map((_, i) => new Map(columns.map((c) => [c.key, c.values[i] ?? ''])));
  return { to, variables };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/**
 * Replaces every occurrence of each variable by its value in ONE pass: a value is inserted
 * literally (never expanded again), and anything that is no variable, a lone `%` ("100% off")
 * included, stays as it is. Longer names win where two overlap (`%name_full%` before `%name%`).
 * Values are inserted as given, in HTML too, as SendCloud does (callers put markup in them).
 */
export function substitute(text: string, variables: ReadonlyMap<string, string>): string {
  if (variables.size === 0 || text === '') return text;
  const names = [...variables.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(names.map(escapeRegExp).join('|'), 'gu');
  return text.replace(pattern, (m) => variables.get(m) ?? m);
}
