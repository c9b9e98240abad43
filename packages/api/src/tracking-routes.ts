import { CLICK_PATH, domainOf, OPEN_PATH, type TrackingClaim, verifyTrackingToken } from '@postmill/core';
import type { StatisticsStore, TrackingStore } from '@postmill/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from './api-deps.ts';
import { htmlPage } from './html-page.ts';
import { isMachineFetch } from './machine-fetch.ts';

/** What the tracking endpoints need beyond the API's common deps. */
export interface TrackingRouteDeps {
  /** The deployment's tracking secret (grant keys are derived from it and the token's scope). */
  readonly secret: string;
  readonly store: TrackingStore;
}

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function notFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(htmlPage('Link not found', '<h1>This link is not valid.</h1><p>It may have been cut off by your mail program.</p>'));
}

/**
 * The open pixel `GET|HEAD /t/o/<token>` and the click redirect `GET|HEAD /t/c/<token>`.
 * Guarantees: a token that is not a valid, signed token of that kind (forged, truncated, of
 * another kind, tracking not configured) answers 404 with a plain page; a click redirects (302)
 * only to the URL its signed token carries, which was a link of that very mail; a valid fetch is
 * answered even when counting fails (the failure is logged), so the endpoints never answer 5xx for
 * a valid token; people and machines (isMachineFetch) are counted apart; a person's first open or
 * click of a message counts in the day's unique statistics (Tencent's Opened/Clicked are unique
 * recipients), every one in the day's totals and hit lists (DirectMail's Rcpt*Count, SendCloud's
 * openNum/clickNum and openandclick/list).
 */
export function registerTrackingRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const tracking = deps.tracking;
  const count = async (req: FastifyRequest, claim: TrackingClaim): Promise<void> => {
    if (!tracking) return;
    const at = deps.clock.now();
    const source = isMachineFetch({ method: req.method, userAgent: req.headers['user-agent'] }) ? 'machine' : 'human';
    try {
      const { first } = await tracking.store.record({ messageId: claim.messageId, recipient: claim.recipient, kind: claim.kind, source, at });
      if (source === 'human') await countDaily(deps.statistics, claim, at, first);
    } catch (err) {
      deps.logger.error({ err, messageId: claim.messageId, kind: claim.kind }, 'tracking hit not counted');
    }
  };
  const claimOf = (req: FastifyRequest<{ Params: { '*': string } }>, kind: TrackingClaim['kind']): TrackingClaim | undefined =>
    tracking ? verifyTrackingToken(req.params['*'], tracking.secret, kind) : undefined;

  // Fastify answers HEAD with the GET handler (exposeHeadRoutes); req.method is then 'HEAD'.
  app.get<{ Params: { '*': string } }>(`${OPEN_PATH}*`, async (req, reply) => {
    const claim = claimOf(req, 'open');
    if (!claim) return notFound(reply);
    await count(req, claim);
    return reply.header('cache-control', 'no-store, no-cache, private').type('image/gif').send(PIXEL);
  });
  app.get<{ Params: { '*': string } }>(`${CLICK_PATH}*`, async (req, reply) => {
    const claim = claimOf(req, 'click');
    if (!claim?.url) return notFound(reply);
    await count(req, claim);
    return reply.header('cache-control', 'no-store, private').header('referrer-policy', 'no-referrer').redirect(claim.url, 302);
  });
}

// A person's every open/click counts in the day's totals and is listed; the first of a message also counts as unique.
async function countDaily(statistics: StatisticsStore, claim: TrackingClaim, at: number, first: boolean): Promise<void> {
  const event = {
    at,
    fromDomain: claim.fromDomain,
    recipientDomain: domainOf(claim.recipient),
    ...(claim.tag === undefined ? {} : { tag: claim.tag }),
  };
  const open = claim.kind === 'open';
  await Promise.all([
    statistics.record([
      { ...event, metric: open ? 'openedTotal' : 'clickedTotal' },
      ...(first ? [{ ...event, metric: open ? ('opened' as const) : ('clicked' as const) }] : []),
    ]),
    statistics.hits.append({
      kind: claim.kind,
      recipient: claim.recipient,
      at,
      ...(claim.url === undefined ? {} : { url: claim.url }),
      ...(claim.tag === undefined ? {} : { tag: claim.tag }),
    }),
  ]);
}
