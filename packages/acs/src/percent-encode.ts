const UNRESERVED_RUN = /^[A-Za-z0-9\-_.~]*$/u;

// With the `u` flag a surrogate pair is one code point outside this range, so only lone
// surrogates match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

// The characters encodeURIComponent leaves as they are but RFC 3986 (and Alibaba) encode.
const SUB_DELIMS_KEPT_BY_ENCODE_URI = /[!'()*]/gu;

/**
 * RFC 3986 percent-encoding over UTF-8, as both Alibaba signatures use it: only `A-Z a-z 0-9 - _ . ~`
 * stay as they are; every other byte becomes `%XY` with upper-case hex (space is `%20`, never `+`;
 * `! ' ( ) *` are encoded although `encodeURIComponent` leaves them). A lone surrogate is encoded as
 * U+FFFD, which is what a decoder of the wire bytes would have produced. Built on the engine's
 * `encodeURIComponent` (native, linear), not byte by byte: a V1 signature of an 8 MiB form encodes
 * every value twice.
 */
export function pct(value: string): string {
  if (UNRESERVED_RUN.test(value)) return value;
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD')).replace(
    SUB_DELIMS_KEPT_BY_ENCODE_URI,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const ESCAPE_RUN = /(?:%[0-9A-Fa-f]{2})+/gu;

// Runs of escapes decode as UTF-8 bytes together (a character may span several escapes); an
// invalid sequence becomes U+FFFD instead of throwing, and a stray `%` not followed by two hex
// digits stays as sent. The signature covers what the server decoded, so sloppy encoding cannot
// verify unless the client signed exactly these values.
function decodeComponent(text: string): string {
  return text.replaceAll('+', ' ').replace(ESCAPE_RUN, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'));
}

/**
 * Decodes `application/x-www-form-urlencoded` text (a query string or a form body) into name/value
 * pairs in wire order, duplicates kept. `+` is a space (curl, Python and browsers send it; the
 * Alibaba SDKs send `%20`), and `( ) * ! '` may arrive raw (the SDKs write with Node's
 * `querystring.stringify`). Signatures are computed over these decoded values re-encoded with
 * {@link pct}, never over the wire text. Empty segments (`a=1&&b=2`) are skipped; a segment without
 * `=` is a name with an empty value.
 */
export function decodeWireParams(text: string): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const name = eq === -1 ? segment : segment.slice(0, eq);
    const value = eq === -1 ? '' : segment.slice(eq + 1);
    out.push([decodeComponent(name), decodeComponent(value)]);
  }
  return out;
}
