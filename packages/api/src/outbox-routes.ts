import { escapeHtml } from '@postmill/core';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './api-deps.ts';
import { checkBasicAuth } from './basic-auth.ts';
import { htmlPage } from './html-page.ts';

/**
 * The outbox pages: `GET /outbox` (HTML, or JSON with `Accept: application/json`; `?offset=&limit=`)
 * and `GET /outbox/<id>.eml` (the exact MIME). Guarantees: mail is private, so every page needs
 * HTTP Basic credentials (user = SecretId, password = SecretKey) and answers 401 otherwise.
 */
export function registerOutboxRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      if (!checkBasicAuth(req.headers.authorization, deps.lookupSecret)) {
        return reply.code(401).header('www-authenticate', 'Basic realm="Postmill outbox", charset="UTF-8"').send({
          error: 'Unauthorized',
          message: 'The outbox needs credentials: user = your SecretId, password = your SecretKey.',
        });
      }
    });

    scope.get<{ Querystring: { offset?: string; limit?: string } }>('/outbox', async (req, reply) => {
      const offset = Math.max(0, Number.parseInt(req.query.offset ?? '0', 10) || 0);
      const limit = Math.min(100, Math.max(1, Number.parseInt(req.query.limit ?? '50', 10) || 50));
      const page = await deps.outbox.list(offset, limit);
      if ((req.headers.accept ?? '').includes('application/json')) return reply.send(page);
      const rows = page.items
        .map(
          (m) =>
            `<tr><td>${new Date(m.storedAt).toISOString()}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(m.recipients.join(', '))}</td><td>${escapeHtml(m.subject)}</td><td><a href="/outbox/${encodeURIComponent(m.id)}.eml">${escapeHtml(m.id)}.eml</a> (${m.sizeBytes} B)</td></tr>`,
        )
        .join('');
      const body = `<h1>Postmill outbox</h1><p>${page.total} message(s) captured; newest first. Mail sent with <code>MAIL_TRANSPORT=outbox</code> stops here instead of leaving the machine.</p>
<table><thead><tr><th>Stored</th><th>From</th><th>To</th><th>Subject</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>`;
      return reply.type('text/html; charset=utf-8').send(htmlPage('Postmill outbox', body));
    });

    scope.get<{ Params: { file: string } }>('/outbox/:file', async (req, reply) => {
      const id = req.params.file.replace(/\.eml$/u, '');
      const found = await deps.outbox.get(id);
      if (!found) return reply.code(404).send({ error: 'NotFound', message: `No outbox message ${id}.` });
      return reply
        .type('message/rfc822')
        .header('content-disposition', `attachment; filename="${id.replace(/[^A-Za-z0-9._-]/gu, '_')}.eml"`)
        .send(found.mime);
    });
  });
}
