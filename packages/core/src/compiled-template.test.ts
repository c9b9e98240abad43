import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, type RenderTarget, renderTemplate, sanitizeHeaderValue } from './template.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/gu;

/** renderTemplate's contract as one replace over the source (the implementation before compiling). */
function renderByReplace(source: string, data: Readonly<Record<string, string>>, target: RenderTarget): string {
  return source.replace(PLACEHOLDER, (_m, name: string) => {
    const value = Object.hasOwn(data, name) ? (data[name] ?? '') : '';
    return target === 'html' ? escapeHtml(value) : target === 'header' ? sanitizeHeaderValue(value) : value;
  });
}

const piece = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('{{name}}', '{{ name }}', '{{a.b}}', '{{', '}}', '{{}}', '{{missing}}', '<&>"\'', '\r\n', '{{name}}{{name}}'),
);
const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('<b>&', '{{name}}', 'a\r\nBcc: x', "it's", '\u2028'));

describe('renderTemplate over its compiled form', () => {
  it('renders every source, data and target exactly as one replace over the source does, on first and repeated use', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), value, value, fc.constantFrom<RenderTarget>('html', 'text', 'header'), (pieces, name, ab, target) => {
        const source = pieces.join('');
        const data = { name, 'a.b': ab };
        const expected = renderByReplace(source, data, target);
        expect(renderTemplate(source, data, target)).toBe(expected);
        expect(renderTemplate(source, data, target)).toBe(expected);
      }),
    );
  });
});
