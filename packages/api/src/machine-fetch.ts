import { isbot } from 'isbot';

/**
 * True when a pixel or link fetch comes from a machine rather than a person's mail program.
 * Guarantees, in order:
 * - `isbot` (a maintained list of crawlers, link scanners and mail image proxies: Apple Mail
 *   Privacy Protection's bare `Mozilla/5.0`, Gmail's GoogleImageProxy, YahooMailProxy, headless
 *   browsers, curl…) says so;
 * - no User-Agent at all (no mail program sends none; scripts and some scanners do);
 * - a HEAD request (link checkers probe with HEAD; a person's click is a GET).
 * Everything else counts as a person. Machines are still recorded, apart.
 */
export function isMachineFetch(request: { readonly method: string; readonly userAgent: string | undefined }): boolean {
  const ua = request.userAgent?.trim() ?? '';
  return ua === '' || request.method === 'HEAD' || isbot(ua);
}
