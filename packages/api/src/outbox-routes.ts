import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from './api-deps.ts';
import { checkBasicAuth } from './basic-auth.ts';
import { htmlPage } from './html-page.ts';
import { readOutboxAttachment, readOutboxMessage } from './outbox-message-view.ts';
import { OUTBOX_CSP, outboxListBody, outboxMessageBody } from './outbox-pages.ts';

/** Messages per list page unless `?limit=` says otherwise (1 to 100). */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** Longest search text kept; longer text is cut (no recipient or subject is longer). */
const MAX_QUERY_LENGTH = 200;

const safeFileName = (name: string) => name.replace(/[^A-Za-z0-9._-]/gu, '_').slice(0, 100) || 'file';

function html(reply: FastifyReply, title: string, body: string) {
  return reply.type('text/html; charset=utf-8').send(htmlPage(title, body));
}

/**
 * The outbox pages, all behind HTTP Basic (user = SecretId, password = SecretKey; 401 otherwise,
 * since mail is private), all with OUTBOX_CSP (no script, no remote load, the mail's HTML included):
 * - `GET /outbox?offset=&limit=&q=`: newest first, a total, paging links; `q` searches recipients
 *   and subjects (any case). A page reads only its own entries (LRANGE); a search scans the
 *   outbox, which holds at most OUTBOX_MAX_MESSAGES. JSON with `Accept: application/json`.
 * - `GET /outbox/<id>`: one message: headers, text, the HTML sandboxed, attachments.
 * - `GET /outbox/<id>.eml`: the exact MIME; `GET /outbox/<id>/attachments/<n>`: one attachment,
 *   always as a download (octet-stream, nosniff), never rendered.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      reply.header('content-security-policy', OUTBOX_CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      if (!checkBasicAuth(req.headers.authorization, deps.lookupSecret)) {
        return reply.code(401).header('www-authenticate', 'Basic realm="Postmill outbox", charset="UTF-8"').send({
          error: 'Unauthorized',
          message: 'The outbox needs credentials: user = your SecretId, password = your SecretKey.',
        });
      }
    });

    scope.get<{ Querystring: { offset?: string; limit?: string; q?: string } }>('/outbox', async (req, reply) => {
      const offset = Math.max(0, Number.parseInt(req.query.offset ?? '0', 10) || 0);
      const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Number.parseInt(req.query.limit ?? String(DEFAULT_PAGE_SIZE), 10) || DEFAULT_PAGE_SIZE));
      const query = (req.query.q ?? '').trim().slice(0, MAX_QUERY_LENGTH);
      const page = query === '' ? await deps.outbox.list(offset, limit) : await deps.outbox.search(query, offset, limit);
      if ((req.headers.accept ?? '').includes('application/json')) return reply.send({ ...page, offset, limit, ...(query === '' ? {} : { query }) });
      return html(reply, 'Postmill outbox', outboxListBody({ ...page, offset, limit, ...(query === '' ? {} : { query }) }));
    });

    scope.get<{ Params: { file: string } }>('/outbox/:file', async (req, reply) => {
      const download = req.params.file.endsWith('.eml');
      const id = download ? req.params.file.slice(0, -'.eml'.length) : req.params.file;
      const found = await deps.outbox.get(id);
      if (!found) return reply.code(404).send({ error: 'NotFound', message: `No outbox message ${id}.` });
      if (download) {
        return reply
          .type('message/rfc822')
          .header('content-disposition', `attachment; filename="${safeFileName(id)}.eml"`)
          .send(found.mime);
      }
      const view = await readOutboxMessage(found.mime);
      return html(reply, `${found.entry.subject} · Postmill outbox`, outboxMessageBody(found.entry, view));
    });

    scope.get<{ Params: { id: string; index: string } }>('/outbox/:id/attachments/:index', async (req, reply) => {
      const found = await deps.outbox.get(req.params.id);
      const index = /^\d{1,4}$/u.test(req.params.index) ? Number(req.params.index) : -1;
      const attachment = found && index >= 0 ? await readOutboxAttachment(found.mime, index) : undefined;
      if (!attachment) return reply.code(404).send({ error: 'NotFound', message: `No attachment ${req.params.index} in outbox message ${req.params.id}.` });
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${safeFileName(attachment.filename)}"`)
        .send(attachment.content);
    });
  });
}
