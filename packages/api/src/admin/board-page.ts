import { createHash } from 'node:crypto';

/**
 * Runs first in the board's page. A page opened as `http://user:pass@host/admin/queues` has the
 * credentials in its own URL, so every relative URL resolved against it carries them too, and
 * `fetch()` refuses such URLs (TypeError: "Request cannot be constructed from a URL that includes
 * credentials"): Bull Board's i18n backend fetches its locale files, fails, and the board never
 * renders its labels. The browser has already authenticated this navigation and keeps the
 * credentials for the origin, so reloading the same URL without them works: this does that once,
 * with `location.replace` (no history entry), before any of the board's scripts run.
 */
export const STRIP_URL_CREDENTIALS_SCRIPT =
  "(function(){var u=new URL(document.URL);if(u.username||u.password){u.username='';u.password='';location.replace(u.href);}})();";

const scriptHash = `'sha256-${createHash('sha256').update(STRIP_URL_CREDENTIALS_SCRIPT).digest('base64')}'`;

/**
 * The Content-Security-Policy of the board's page: everything from this origin (the UI's own
 * scripts, styles, images, locale files and JSON API), inline styles, `data:` images and fonts,
 * the one inline script above; nothing from any other host, so the board works offline and can
 * never call out, whatever a later @bull-board/ui version links to.
 */
export const BOARD_CSP = [
  "default-src 'self'",
  `script-src 'self' ${scriptHash}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// A <link> (style sheet, font preconnect…) to another host: @bull-board/ui 9.10.1 loads IBM Plex
// from Google Fonts this way. Its CSS names system fonts after IBM Plex, so the board keeps its
// look without it (the package ships no font files to serve instead).
const REMOTE_LINK = /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^>]*>\s*/giu;

/**
 * Bull Board's page as Postmill serves it. Guarantees: no `<link>` to another host remains, and
 * STRIP_URL_CREDENTIALS_SCRIPT is the first thing in `<head>`; the rest is unchanged.
 */
export function rewriteBoardPage(html: string): string {
  const local = html.replace(REMOTE_LINK, '');
  return local.replace(/<head(\s[^>]*)?>/iu, (head) => `${head}<script>${STRIP_URL_CREDENTIALS_SCRIPT}</script>`);
}
