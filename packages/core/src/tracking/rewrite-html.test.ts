import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rewriteHtml, trackableUrl } from './rewrite-html.ts';

const mark = (url: string) => `https://t.example/${encodeURIComponent(url)}`;

describe('rewriteHtml', () => {
  it('rewrites only http(s) <a href> and keeps every other byte of the HTML in place', () => {
    const html = `<html><head><style>a{color:red}</style></head><body>
<p class="x">Hi &amp; welcome <a href="https://shop.example/a?x=1&amp;y=2" class="btn">Shop</a>
<a href='mailto:bob@example.com'>mail</a> <a href="tel:+123">call</a> <a href="#top">top</a>
<a href="/relative">rel</a> <img src="https://img.example/x.png"><!-- <a href="https://hidden.example/"> --></p>
<script>var s = '<a href="https://script.example/">';</script></body></html>`;
    const out = rewriteHtml(html, { trackLink: mark });
    expect(out).toBe(html.replace(`href="https://shop.example/a?x=1&amp;y=2"`, `href="${mark('https://shop.example/a?x=1&y=2')}"`));
  });

  it('rewrites unquoted, single-quoted and upper-case attributes, and only the first href of a tag', () => {
    const html = `<A HREF=http://a.example/x>1</A><a href='https://b.example/'>2</a><a href="https://c.example/" href="https://d.example/">3</a>`;
    const out = rewriteHtml(html, { trackLink: mark });
    expect(out).toBe(
      `<A href="${mark('http://a.example/x')}">1</A><a href="${mark('https://b.example/')}">2</a><a href="${mark('https://c.example/')}" href="https://d.example/">3</a>`,
    );
  });

  it('leaves a link alone when trackLink answers undefined', () => {
    const html = '<a href="https://keep.example/">k</a>';
    expect(rewriteHtml(html, { trackLink: () => undefined })).toBe(html);
  });

  it('adds the pixel before </body>, or at the end without one', () => {
    expect(rewriteHtml('<html><body><p>x</p></body></html>', { pixelUrl: 'https://p.example/o' })).toBe(
      '<html><body><p>x</p><img src="https://p.example/o" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" /></body></html>',
    );
    expect(rewriteHtml('<p>x</p>', { pixelUrl: 'https://p.example/o' })).toMatch(/^<p>x<\/p><img src="https:\/\/p\.example\/o"/u);
  });

  it('leaves a tag the input never closes untouched', () => {
    const html = '<p>x</p><a href="https://cut.example/"';
    expect(rewriteHtml(html, { trackLink: mark })).toBe(html);
  });

  it('is the identity on any input when nothing is tracked', () => {
    fc.assert(fc.property(fc.string(), (html) => rewriteHtml(html, {}) === html));
  });
});

describe('trackableUrl', () => {
  it('answers normalised absolute http(s) URLs and nothing else', () => {
    expect(trackableUrl(' https://Shop.Example/a b ')).toBe('https://shop.example/a%20b');
    for (const href of ['mailto:a@b.c', 'tel:1', '#x', '/rel', 'javascript:alert(1)', 'ftp://x.example/', 'https://', '']) {
      expect(trackableUrl(href)).toBeUndefined();
    }
  });
});
