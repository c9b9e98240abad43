const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

// Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/F):
// dropped, so any stored text still makes a well-formed document. With the `u` flag a surrogate
// range matches only a lone surrogate (pairs are read as one code point).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

function escapeText(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (typeof value === 'object') return `<${name}>${children(value as Record<string, unknown>)}</${name}>`;
  return `<${name}>${escapeText(String(value))}</${name}>`;
}

function children(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .map(([name, value]) => element(name, value))
    .join('');
}

/**
 * An XML document as Alibaba's RPC APIs write one: declaration, one root element, a child per
 * field in order, objects nested, and each array as repeated elements named by its key (JSON
 * `data: {mailAddress: [a, b]}` → `<data><mailAddress>a</mailAddress><mailAddress>b</mailAddress></data>`).
 * Undefined and null fields are left out; text is escaped.
 */
export function toXmlDocument(root: string, fields: Readonly<Record<string, unknown>>): string {
  return `${XML_DECLARATION}<${root}>${children(fields)}</${root}>`;
}
