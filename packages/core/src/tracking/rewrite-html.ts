import { Tokenizer } from 'htmlparser2';

/** Links longer than this are left as they are (their token would make a URL mail programs cut). */
export const MAX_TRACKED_URL_LENGTH = 2048;

/** How one HTML body is rewritten. */
export interface HtmlRewrite {
  /**
   * The tracked URL for a link's target (an absolute http(s) URL, normalised by WHATWG URL), or
   * undefined to leave the link alone. Called once per trackable `<a href>`.
   */
  readonly trackLink?: (url: string) => string | undefined;
  /** The pixel's URL: a 1×1 image is added before the last `</body>`, or at the end when there is none. */
  readonly pixelUrl?: string;
}

/** The absolute http(s) URL an href names (WHATWG-normalised), or undefined for any other link (mailto:, tel:, #anchor, relative, malformed, over-long). */
export function trackableUrl(href: string): string | undefined {
  const trimmed = href.trim();
  if (!/^https?:\/\//iu.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.href.length > MAX_TRACKED_URL_LENGTH ? undefined : url.href;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/gu, '&amp;').replace(/"/gu, '&quot;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
}

interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Rewrites the `href` of every `<a>` whose target is an absolute http(s) URL and adds the pixel.
 * Guarantees: the HTML is tokenized (htmlparser2's tokenizer, so comments, scripts, styles and
 * attribute entities are read as a browser reads them) and only the spans of rewritten `href`
 * attributes change (each becomes `href="<tracked>"`) plus the pixel's `<img>`: every other byte of
 * the input is kept in place. Only the first `href` of a tag counts (as in browsers); a tag the
 * input leaves unterminated is not touched.
 */
export function rewriteHtml(html: string, rewrite: HtmlRewrite): string {
  const splices: Splice[] = [];
  let tagName = '';
  let attrName = '';
  let attrStart = -1;
  let attrValue = '';
  let seenHref = false;
  let pending: Splice | undefined;
  let bodyClose = -1;
  const endTag = (): void => {
    if (pending) splices.push(pending);
    pending = undefined;
  };
  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      onopentagname(start, end) {
        tagName = html.slice(start, end).toLowerCase();
        seenHref = false;
        pending = undefined;
      },
      onattribname(start, end) {
        attrName = html.slice(start, end).toLowerCase();
        attrStart = start;
        attrValue = '';
      },
      onattribdata(start, end) {
        attrValue += html.slice(start, end);
      },
      onattribentity(codepoint) {
        attrValue += String.fromCodePoint(codepoint);
      },
      onattribend(_quote, end) {
        if (tagName !== 'a' || attrName !== 'href' || seenHref) return;
        seenHref = true;
        const url = rewrite.trackLink ? trackableUrl(attrValue) : undefined;
        const tracked = url === undefined ? undefined : rewrite.trackLink?.(url);
        if (tracked !== undefined) pending = { start: attrStart, end, text: `href="${escapeAttribute(tracked)}"` };
      },
      onopentagend: endTag,
      onselfclosingtag: endTag,
      onclosetag(start, end) {
        pending = undefined;
        if (html.slice(start, end).toLowerCase() === 'body') bodyClose = html.lastIndexOf('<', start);
      },
      ontext() {},
      ontextentity() {},
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  if (rewrite.pixelUrl !== undefined) {
    const img = `<img src="${escapeAttribute(rewrite.pixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0" />`;
    const at = bodyClose >= 0 ? bodyClose : html.length;
    splices.push({ start: at, end: at, text: img });
  }
  let out = '';
  let from = 0;
  for (const s of splices.sort((a, b) => a.start - b.start)) {
    out += html.slice(from, s.start) + s.text;
    from = s.end;
  }
  return out + html.slice(from);
}
