import { compiledTemplate } from './compiled-template.ts';

/** Where a rendered value lands; decides how it is escaped. */
export type RenderTarget = 'html' | 'text' | 'header';

/** Template variables: string values only once parsed (numbers/booleans are stringified by the caller). */
export type TemplateData = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/gu;

const HTML_SIGNIFICANT = /[&<>"']/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const HEADER_UNSAFE = /[\u0000-\u001f\u007f\u2028\u2029]/u;

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes the five HTML-significant characters. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/gu, (c) => HTML_ESCAPES[c] ?? c);
}

/** Replaces CR, LF and other control characters by spaces so a value can never start a new header line. */
export function sanitizeHeaderValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/gu, ' ');
}

/**
 * Renders `{{name}}` placeholders in one pass. Guarantees: a value is inserted literally (a value
 * containing `{{x}}` is never expanded again); in `html` it is HTML-escaped, in `header` it has no
 * CR/LF or control characters. A variable `data` lacks renders as the empty string, so callers
 * first refuse such data with `missingTemplateVariables` (every API action does): no mail is ever
 * rendered with a silently empty variable.
 */
export function renderTemplate(source: string, data: TemplateData, target: RenderTarget): string {
  // Compiled once per source (a campaign renders the same three sources for every recipient).
  const { literals, names } = compiledTemplate(source, PLACEHOLDER);
  let out = literals[0] ?? '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const value = Object.hasOwn(data, name) ? (data[name] ?? '') : '';
    out += escapeFor(value, target) + (literals[i + 1] ?? '');
  }
  return out;
}

function escapeFor(value: string, target: RenderTarget): string {
  if (target === 'html') return HTML_SIGNIFICANT.test(value) ? escapeHtml(value) : value;
  if (target === 'header') return HEADER_UNSAFE.test(value) ? sanitizeHeaderValue(value) : value;
  return value;
}

/** The distinct variable names a template uses, in first-seen order. */
export function templateVariables(source: string): string[] {
  const seen = new Set<string>();
  for (const m of source.matchAll(PLACEHOLDER)) if (m[1] !== undefined) seen.add(m[1]);
  return [...seen];
}

/** Why a TemplateData string was refused; each action maps it to a code of its own documented list. */
export type TemplateDataRefusal = 'TooLarge' | 'NotJson' | 'NotObject' | 'BadValue';

/** The verdict on one TemplateData string: its variables (values as strings), or why it was refused. */
export type TemplateDataVerdict =
  | { readonly ok: true; readonly data: TemplateData; readonly keys: readonly string[] }
  | { readonly ok: false; readonly refusal: TemplateDataRefusal; readonly message: string };

/** The one TemplateData rule set: the cap is the only thing that differs between uses. */
export interface TemplateDataRules {
  /** Largest TemplateData in UTF-8 bytes, measured on the string as given. */
  readonly maxBytes: number;
}

/**
 * Judges a TemplateData string by the rule SendEmail, BatchSendEmail and receiver lists share.
 * Guarantees on `ok`: the string is at most `maxBytes` UTF-8 bytes and a JSON object whose values
 * are strings, numbers or booleans (numbers and booleans are stringified); `keys` are its names in
 * the given order. Checks run in order (size, JSON, object, values), so the refusal is the first
 * problem found. A blank string is not JSON: absent data is the caller's `undefined`, never `""`.
 */
export function parseTemplateData(raw: string, rules: TemplateDataRules): TemplateDataVerdict {
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > rules.maxBytes) return { ok: false, refusal: 'TooLarge', message: `TemplateData is ${bytes} bytes; at most ${rules.maxBytes} are allowed` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, refusal: 'NotJson', message: 'TemplateData is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, refusal: 'NotObject', message: 'TemplateData must be a JSON object such as {"name":"value"}' };
  }
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return { ok: false, refusal: 'BadValue', message: `the value of "${key}" must be a string, number or boolean` };
    }
    entries.push([key, String(value)]);
  }
  // fromEntries, not assignment: a "__proto__" key stays an own variable instead of a prototype.
  return { ok: true, data: Object.fromEntries(entries), keys: entries.map(([k]) => k) };
}

/**
 * The variables the given template parts use that `provided` lacks, in first-seen order. Guarantees:
 * empty exactly when rendering every part with data holding `provided` fills every placeholder.
 */
export function missingTemplateVariables(parts: readonly (string | undefined)[], provided: Iterable<string>): string[] {
  const have = new Set(provided);
  return templateVariables(parts.filter((p) => p !== undefined).join('\n')).filter((v) => !have.has(v));
}
