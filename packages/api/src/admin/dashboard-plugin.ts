import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';
import { checkBasicAuth } from '../basic-auth.ts';
import { BOARD_CSP, rewriteBoardPage } from './board-page.ts';
import { DASHBOARD_PATH, type DashboardDeps, type DashboardQueue, dashboardOffMessage } from './dashboard-access.ts';
import { maskEmailAddresses } from './mask-email-addresses.ts';

/**
 * Mounts Bull Board at `/admin/queues`. Guarantees:
 * - enabled: every path below `/admin/queues` (pages, JSON API, static assets) needs HTTP Basic
 *   credentials (DASHBOARD_USERNAME / DASHBOARD_PASSWORD, checked in constant time) and answers
 *   401 with `WWW-Authenticate` otherwise; the check is scoped to the board, no other route sees it;
 * - read-only unless `allowWrites`: Bull Board's `readOnlyMode` refuses every write endpoint
 *   (retry, promote, clean, remove, pause, add…) with 405 on the server, not only in the UI;
 * - offline: the page loads nothing from another host (the UI's Google Fonts link is dropped, and
 *   a Content-Security-Policy allows this origin only), and it renders its labels also when opened
 *   as `http://user:pass@host/admin/queues` (board-page.ts says why that needs a reload);
 * - disabled: the board is not mounted and `/admin/queues` (and below) answers 404 with a JSON
 *   message naming the variables that turn it on.
 *
 * Privacy: job payloads hold only ids by design (see the job catalog: the message and its
 * recipients live in the ledger), and e-mail addresses in job data and return values are masked
 * anyway in case a payload ever carries one (with writes on, the UI's edit-data dialog starts from
 * that masked view). Failure reasons and job logs are shown as BullMQ stored them and can quote a
 * provider's error text, which may name a recipient: dashboard access is Redis access, give it to
 * operators only.
 */
export function registerDashboard(app: FastifyInstance, dashboard: DashboardDeps): void {
  const { access } = dashboard;
  if (!access.enabled) {
    const body = { error: 'DashboardDisabled', message: dashboardOffMessage(access.reason) };
    app.all(DASHBOARD_PATH, async (_req, reply) => reply.code(404).send(body));
    app.all(`${DASHBOARD_PATH}/*`, async (_req, reply) => reply.code(404).send(body));
    return;
  }
  const lookup = (user: string) => (user === access.username ? access.password : undefined);
  app.register(async (scope) => {
    // onRequest runs before routing inside this scope, so static assets are covered too.
    scope.addHook('onRequest', async (req, reply) => {
      if (!checkBasicAuth(req.headers.authorization, lookup)) {
        return reply.code(401).header('www-authenticate', 'Basic realm="Postmill queues", charset="UTF-8"').send({
          error: 'Unauthorized',
          message: 'The queue dashboard needs credentials: DASHBOARD_USERNAME and DASHBOARD_PASSWORD.',
        });
      }
    });
    // The board's page (its entry route, the only HTML it serves) is rewritten to load nothing
    // from other hosts and to render when opened with credentials in the URL (board-page.ts).
    scope.addHook('onSend', async (_req, reply, payload) => {
      if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      reply.header('content-security-policy', BOARD_CSP);
      return rewriteBoardPage(payload);
    });
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(DASHBOARD_PATH); // must equal the register prefix: the UI builds its URLs from it
    createBullBoard({
      queues: dashboard.queues.map((queue) => boardQueue(queue, { readOnlyMode: !access.allowWrites })),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'Postmill' } },
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}

function boardQueue(queue: DashboardQueue, options: { readOnlyMode: boolean }): BullMQAdapter {
  const adapter = new BullMQAdapter(queue, { readOnlyMode: options.readOnlyMode });
  adapter.setFormatter('data', maskEmailAddresses);
  adapter.setFormatter('returnValue', maskEmailAddresses);
  return adapter;
}
