import { CLICK_PATH, createTrackingToken, grantKey, OPEN_PATH, type TrackingClaim } from '@postmill/core';

/** One fetch the bench sends: a pixel or a tracked link, as a mail program or a machine makes it. */
export interface TrackingHitRequest {
  readonly kind: 'open' | 'click';
  /** Path with the signed token, e.g. `/t/o/<token>`. */
  readonly path: string;
  /** Absent: the request carries no User-Agent (a script; counted as a machine). */
  readonly userAgent?: string;
  /** For a click, the URL the answer must redirect to. */
  readonly location?: string;
  readonly messageId: string;
}

/** The shape of the pool of fetches; every field documents its default. */
export interface TrackingHitsOptions {
  /** The deployment's tracking secret (what `trackingSecret(config)` derives from POSTMILL_SECRET_KEY). */
  readonly secret: string;
  /** Distinct messages, each with its own grant scope. Default 5000. */
  readonly messages?: number;
  /** Recipients per message, 1 to this many. Default 3. */
  readonly maxRecipients?: number;
  /** Tracked links per message, 1 to this many. Default 4. */
  readonly maxLinks?: number;
  /** Fetches in the pool (the driver cycles through it, so every fetch is eventually repeated). Default 20 000. */
  readonly size?: number;
  /** Seed of the pseudo-random mix: the same seed gives the same pool. Default 1. */
  readonly seed?: number;
}

/** Mail programs and browsers: counted as people. */
const HUMAN_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18025; Pro)',
];
/** Image proxies and link scanners: counted as machines (isMachineFetch). */
const MACHINE_AGENTS = [
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  'Mozilla/5.0',
  'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  'curl/8.5.0',
];

/** mulberry32: a small seeded generator, so a pool is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The message ids `trackingHits` draws from (`bench-<i>`), for reading their counters afterwards. */
export function benchMessageIds(messages: number): string[] {
  return Array.from({ length: messages }, (_, i) => `bench-${i}`);
}

/**
 * A pool of valid, signed tracking fetches. Guarantees: every token verifies under `secret`
 * (each message's grant key is `grantKey(secret, scope)`, as the worker mints them); about 60% are
 * opens and 40% clicks; about 15% carry a machine's User-Agent and 5% none; messages, recipients and
 * links are drawn at random, so one recipient's first hit and repeated hits of the same token both
 * occur; the same options give the same pool.
 */
export function trackingHits(o: TrackingHitsOptions): TrackingHitRequest[] {
  const messages = o.messages ?? 5000;
  const maxRecipients = o.maxRecipients ?? 3;
  const maxLinks = o.maxLinks ?? 4;
  const next = random(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const ids = benchMessageIds(messages);
  const mails = ids.map((messageId, i) => {
    const scope = `s${i.toString(36)}${Math.floor(next() * 2 ** 48).toString(36)}`;
    return {
      messageId,
      scope,
      key: grantKey(o.secret, scope),
      recipients: Array.from({ length: 1 + Math.floor(next() * maxRecipients) }, (_, r) => `user${i}-${r}@mail${i % 50}.example.net`),
      links: Array.from({ length: 1 + Math.floor(next() * maxLinks) }, (_, l) => `https://shop.example.com/p/${i}/${l}?utm_source=mail`),
      ...(i % 2 === 0 ? { tag: 'weekly' } : {}),
    };
  });
  return Array.from({ length: o.size ?? 20_000 }, (): TrackingHitRequest => {
    const mail = pick(mails);
    const recipient = pick(mail.recipients);
    const kind: TrackingClaim['kind'] = next() < 0.6 ? 'open' : 'click';
    const url = kind === 'click' ? pick(mail.links) : undefined;
    const claim: TrackingClaim = {
      kind,
      scope: mail.scope,
      messageId: mail.messageId,
      recipient,
      fromDomain: 'news.example.com',
      ...(mail.tag ? { tag: mail.tag } : {}),
    };
    const token = createTrackingToken(url === undefined ? claim : { ...claim, url }, mail.key);
    const who = next();
    const userAgent = who < 0.8 ? pick(HUMAN_AGENTS) : who < 0.95 ? pick(MACHINE_AGENTS) : undefined;
    return {
      kind,
      path: `${kind === 'open' ? OPEN_PATH : CLICK_PATH}${token}`,
      messageId: mail.messageId,
      ...(userAgent === undefined ? {} : { userAgent }),
      ...(url === undefined ? {} : { location: url }),
    };
  });
}
