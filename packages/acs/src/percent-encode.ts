const UNRESERVED_RUN = /^[A-Za-z0-9\-_.~]*$/u;

function isUnreservedByte(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
  );
}

/**
 * RFC 3986 percent-encoding over UTF-8, as both Alibaba signatures use it: only `A-Z a-z 0-9 - _ . ~`
 * stay as they are; every other byte becomes `%XY` with upper-case hex (space is `%20`, never `+`;
 * `! ' ( ) *` are encoded although `encodeURIComponent` leaves them). A lone surrogate is encoded as
 * U+FFFD, which is what a decoder of the wire bytes would have produced.
 */
export function pct(value: string): string {
  if (UNRESERVED_RUN.test(value)) return value;
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    out += isUnreservedByte(b) ? String.fromCharCode(b) : `%${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
  }
  return out;
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
