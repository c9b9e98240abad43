/** Where a rendered value lands; decides how it is escaped. */
export type RenderTarget = 'html' | 'text' | 'header';

/** Template variables: string values only once parsed (numbers/booleans are stringified by the caller). */
export type TemplateData = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/gu;

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
 * CR/LF or control characters; missing variables render as the empty string.
 */
export function renderTemplate(source: string, data: TemplateData, target: RenderTarget): string {
  return source.replace(PLACEHOLDER, (_m, name: string) => {
    const value = Object.hasOwn(data, name) ? (data[name] ?? '') : '';
    if (target === 'html') return escapeHtml(value);
    if (target === 'header') return sanitizeHeaderValue(value);
    return value;
  });
}

/** The distinct variable names a template uses, in first-seen order. */
export function templateVariables(source: string): string[] {
  const seen = new Set<string>();
  for (const m of source.matchAll(PLACEHOLDER)) if (m[1] !== undefined) seen.add(m[1]);
  return [...seen];
}
