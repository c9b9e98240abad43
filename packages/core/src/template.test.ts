import { describe, expect, it } from 'vitest';
import { escapeHtml, missingTemplateVariables, parseTemplateData, renderTemplate, sanitizeHeaderValue, templateVariables } from './template.ts';

describe('escapeHtml', () => {
  it('escapes every HTML-significant character: & < > " and \'', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;');
  });

  it('escapes an ampersand that already looks like an entity, so text stays text', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('renderTemplate', () => {
  it('escapes a value in html so markup in data cannot inject script', () => {
    expect(renderTemplate('<p>Hi {{name}}</p>', { name: `<script>alert("x")</script>'&` }, 'html')).toBe(
      '<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&amp;</p>',
    );
  });

  it('inserts a value verbatim in text', () => {
    expect(renderTemplate('Hi {{name}}', { name: '<b>&</b>' }, 'text')).toBe('Hi <b>&</b>');
  });

  it('never expands a {{placeholder}} that arrives inside a value', () => {
    const data = { name: '{{secret}}', secret: 'leaked' };
    expect(renderTemplate('Hi {{name}}', data, 'text')).toBe('Hi {{secret}}');
    expect(renderTemplate('Hi {{name}}', data, 'html')).toBe('Hi {{secret}}');
    expect(renderTemplate('Hi {{name}}', data, 'header')).toBe('Hi {{secret}}');
  });

  it('strips CR, LF and other control characters from a value rendered into a header', () => {
    const rendered = renderTemplate('Order {{id}}', { id: '42\r\nBcc: victim@example.com\u0000\u2028x' }, 'header');
    for (const c of ['\r', '\n', '\u0000', '\u2028']) expect(rendered).not.toContain(c);
    expect(rendered).toBe('Order 42 Bcc: victim@example.com x');
  });

  it('renders a missing variable as the empty string, and never reads inherited properties', () => {
    expect(renderTemplate('[{{missing}}][{{constructor}}][{{toString}}]', {}, 'text')).toBe('[][][]');
  });

  it('accepts whitespace inside the braces and leaves malformed placeholders alone', () => {
    expect(renderTemplate('{{ name }}|{name}|{{na me}}|{{}}', { name: 'A' }, 'text')).toBe('A|{name}|{{na me}}|{{}}');
  });

  it('renders every occurrence of a repeated variable', () => {
    expect(renderTemplate('{{a}}-{{a}}-{{b}}', { a: '1', b: '2' }, 'text')).toBe('1-1-2');
  });

  it('renders a template with 1,000 variables from 1,000-entry data', () => {
    const names = Array.from({ length: 1_000 }, (_, i) => `v${i}`);
    const source = names.map((n) => `{{${n}}}`).join(',');
    const data = Object.fromEntries(names.map((n, i) => [n, String(i)]));
    expect(renderTemplate(source, data, 'html')).toBe(names.map((_, i) => String(i)).join(','));
  });
});

describe('sanitizeHeaderValue', () => {
  it('replaces each run of control characters by a single space and keeps other text', () => {
    expect(sanitizeHeaderValue('a\r\n\tb\u007fc\u2029d')).toBe('a b c d');
    expect(sanitizeHeaderValue('Grüße – 你好')).toBe('Grüße – 你好');
  });
});

describe('templateVariables', () => {
  it('lists distinct variable names in first-seen order', () => {
    expect(templateVariables('{{b}} {{a}} {{ b }} {{c}}')).toEqual(['b', 'a', 'c']);
  });
});

describe('parseTemplateData (the one rule of SendEmail, BatchSendEmail and receiver lists)', () => {
  const rules = { maxBytes: 40 };
  const refusal = (raw: string) => {
    const v = parseTemplateData(raw, rules);
    return v.ok ? undefined : v.refusal;
  };

  it('gives the variables as strings in the given order, numbers and booleans stringified', () => {
    expect(parseTemplateData('{"name":"Ann","age":12,"vip":true}', rules)).toEqual({
      ok: true,
      data: { name: 'Ann', age: '12', vip: 'true' },
      keys: ['name', 'age', 'vip'],
    });
  });

  it('keeps a "__proto__" variable as an own variable', () => {
    const v = parseTemplateData('{"__proto__":"x"}', rules);
    expect(v.ok && Object.getOwnPropertyDescriptor(v.data, '__proto__')?.value).toBe('x');
  });

  it('refuses, in this order, data over the cap in UTF-8 bytes, not JSON (blank included), not an object, and non-scalar values', () => {
    expect(refusal(`{"n":"${'通'.repeat(11)}"}`)).toBe('TooLarge'); // 19 characters, 41 bytes
    expect(refusal(`{"n":"${'x'.repeat(32)}"}`)).toBeUndefined(); // exactly 40 bytes
    for (const raw of ['', ' ', '{name}', 'nope']) expect(refusal(raw)).toBe('NotJson');
    for (const raw of ['[1]', '"text"', 'null', '12']) expect(refusal(raw)).toBe('NotObject');
    for (const raw of ['{"a":null}', '{"a":{"b":1}}', '{"a":[1]}']) expect(refusal(raw)).toBe('BadValue');
  });
});

describe('missingTemplateVariables', () => {
  it('names every variable of any part that the data does not provide, once, in first-seen order', () => {
    expect(missingTemplateVariables(['Hi {{name}}', '<p>{{code}} {{name}} {{ shop }}</p>', undefined], ['name'])).toEqual(['code', 'shop']);
  });

  it('is empty when every placeholder is provided, extra variables allowed', () => {
    expect(missingTemplateVariables(['Hi {{name}}', undefined], ['name', 'unused'])).toEqual([]);
  });
});
