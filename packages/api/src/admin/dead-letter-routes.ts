import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkBasicAuth } from '../basic-auth.ts';
import { type DashboardAccess, dashboardOffMessage } from './dashboard-access.ts';
import { maskEmailAddresses } from './mask-email-addresses.ts';
import type { WebhookDeps } from './webhook-deps.ts';

/** Where the webhook dead-letter list is served. */
export const DEAD_LETTER_PATH = '/admin/webhooks/dead-letters';

/** Page size of the list when `limit` is not given. */
const DEFAULT_PAGE = 50;
/** Largest page (the dead-letter store's own cap). */
const MAX_PAGE = 1000;
/** Most letters one replay-all call queues (the publisher's default). */
const DEFAULT_REPLAY_MAX = 1000;

const count = (value: unknown, fallback: number): number | undefined => {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'string' && /^\d{1,9}$/u.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
};

const badRequest = (reply: FastifyReply, message: string) => reply.code(400).send({ error: 'InvalidParameter', message });

/**
 * Serves the webhook dead-letter list under `/admin/webhooks/dead-letters`, behind the dashboard's
 * login. Guarantees:
 * - the same access as the queue dashboard: HTTP Basic with DASHBOARD_USERNAME / DASHBOARD_PASSWORD
 *   (constant-time check), 401 otherwise; 404 naming the variables while the dashboard is off; 404
 *   when the process has no webhook delivery;
 * - reads (`GET` a page, `GET /:deliveryId`) are always allowed; replays (`POST /:deliveryId/replay`,
 *   `POST /replay`) only with DASHBOARD_ALLOW_WRITES=true, else 405, as the board's writes;
 * - a page is read from Redis one page at a time (`offset`, `limit` ≤ 1000), newest first;
 * - e-mail addresses in letters are masked as on the board (`a***@example.org`); the delivery id,
 *   which replays name, carries none.
 * A replay queues the letter again under a new job id (event id unchanged) and takes it off the
 * list; two replays of one letter queue it once (the second answers 404).
 */
export function registerDeadLetterRoutes(app: FastifyInstance, access: DashboardAccess, webhooks: WebhookDeps | undefined): void {
  if (!access.enabled || !webhooks) {
    const body = access.enabled
      ? { error: 'WebhooksOff', message: 'This process has no webhook delivery: dead letters are served by an API built with one.' }
      : { error: 'DashboardDisabled', message: dashboardOffMessage(access.reason) };
    app.all(DEAD_LETTER_PATH, async (_req, reply) => reply.code(404).send(body));
    app.all(`${DEAD_LETTER_PATH}/*`, async (_req, reply) => reply.code(404).send(body));
    return;
  }
  const lookup = (user: string) => (user === access.username ? access.password : undefined);
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!checkBasicAuth(req.headers.authorization, lookup)) {
        return reply.code(401).header('www-authenticate', 'Basic realm="Postmill queues", charset="UTF-8"').send({
          error: 'Unauthorized',
          message: 'Dead letters need the dashboard credentials: DASHBOARD_USERNAME and DASHBOARD_PASSWORD.',
        });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && !access.allowWrites) {
        return reply.code(405).send({ error: 'ReadOnly', message: 'Replaying dead letters is a write: set DASHBOARD_ALLOW_WRITES=true.' });
      }
    });
    scope.get<{ Querystring: { offset?: string; limit?: string } }>(DEAD_LETTER_PATH, async (req, reply) => {
      const offset = count(req.query.offset, 0);
      const limit = count(req.query.limit, DEFAULT_PAGE);
      if (offset === undefined) return badRequest(reply, '`offset` must be a whole number ≥ 0.');
      if (limit === undefined || limit < 1 || limit > MAX_PAGE) return badRequest(reply, `\`limit\` must be a whole number from 1 to ${MAX_PAGE}.`);
      const page = await webhooks.deadLetters.list({ offset, limit });
      return { total: page.total, offset, limit, letters: maskEmailAddresses(page.letters) };
    });
    scope.post<{ Querystring: { max?: string } }>(`${DEAD_LETTER_PATH}/replay`, async (req, reply) => {
      const max = count(req.query.max, DEFAULT_REPLAY_MAX);
      if (max === undefined || max < 1) return badRequest(reply, '`max` must be a whole number ≥ 1.');
      return { replayed: await webhooks.publisher.replayAll({ max }) };
    });
    scope.get<{ Params: { deliveryId: string } }>(`${DEAD_LETTER_PATH}/:deliveryId`, async (req, reply) => {
      const letter = await webhooks.deadLetters.get(req.params.deliveryId);
      if (!letter) return notFound(reply, req.params.deliveryId);
      return maskEmailAddresses(letter);
    });
    scope.post<{ Params: { deliveryId: string } }>(`${DEAD_LETTER_PATH}/:deliveryId/replay`, async (req, reply) => {
      if (!(await webhooks.publisher.replay(req.params.deliveryId))) return notFound(reply, req.params.deliveryId);
      return { replayed: 1 };
    });
  });
}

function notFound(reply: FastifyReply, deliveryId: string) {
  return reply.code(404).send({ error: 'DeadLetterNotFound', message: `No dead letter ${deliveryId.slice(0, 200)} (replayed, expired or never there).` });
}
