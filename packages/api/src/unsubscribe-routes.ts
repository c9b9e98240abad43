import { domainOf, escapeHtml, verifyUnsubscribeToken } from '@postmill/core';
import { mailEventId } from '@postmill/store';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './api-deps.ts';
import { htmlPage } from './html-page.ts';

/**
 * The unsubscribe endpoint behind every link and `List-Unsubscribe` header.
 * - `GET /unsubscribe/<token>` shows a confirmation button and changes nothing (mail scanners
 *   prefetch links; a GET must never unsubscribe anyone);
 * - `POST /unsubscribe/<token>` records the recipient as unsubscribed from that sender; it is the
 *   RFC 8058 one-click target (`List-Unsubscribe=One-Click` body) and the form's target.
 * Guarantees: tokens are HMAC-signed, so nobody can unsubscribe an address they did not mail.
 */
export function registerUnsubscribeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (scope) => {
    // One-click POSTs are form-encoded (or multipart); their content carries nothing we need.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_req, _body, done) => done(null, undefined));

    const invalid = (reply: import('fastify').FastifyReply) =>
      reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(htmlPage('Invalid link', '<h1>This unsubscribe link is not valid.</h1><p>It may have been cut off by your mail program.</p>'));

    scope.get<{ Params: { token: string } }>('/unsubscribe/:token', async (req, reply) => {
      const claim = verifyUnsubscribeToken(req.params.token, deps.unsubscribeSecret);
      if (!claim) return invalid(reply);
      const body = `<h1>Unsubscribe</h1><p>Stop mail from <b>${escapeHtml(claim.sender)}</b> to <b>${escapeHtml(claim.recipient)}</b>?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>`;
      return reply.type('text/html; charset=utf-8').send(htmlPage('Unsubscribe', body));
    });

    scope.post<{ Params: { token: string } }>('/unsubscribe/:token', async (req, reply) => {
      const claim = verifyUnsubscribeToken(req.params.token, deps.unsubscribeSecret);
      if (!claim) return invalid(reply);
      const already = await deps.suppressions.isUnsubscribed(claim.sender, claim.recipient);
      await deps.suppressions.unsubscribe(claim.sender, claim.recipient);
      if (!already) {
        // Written once: the id is fixed by (message, recipient), so a racing second POST stores nothing new.
        const ua = req.headers['user-agent'];
        await deps.events?.record([
          {
            id: mailEventId({ messageId: claim.messageId, recipient: claim.recipient, kind: 'unsubscribed', discriminator: 0 }),
            kind: 'unsubscribed',
            at: deps.clock.now(),
            messageId: claim.messageId,
            recipient: claim.recipient,
            sender: claim.sender,
            ip: req.ip,
            ...(typeof ua === 'string' && ua !== '' ? { userAgent: ua } : {}),
          },
        ]);
        await deps.statistics.record([
          { at: deps.clock.now(), fromDomain: domainOf(claim.sender), recipientDomain: domainOf(claim.recipient), metric: 'unsubscribe' },
        ]);
      }
      deps.logger.info({ sender: claim.sender, messageId: claim.messageId }, 'recipient unsubscribed');
      return reply
        .type('text/html; charset=utf-8')
        .send(
          htmlPage(
            'Unsubscribed',
            `<h1>You are unsubscribed.</h1><p>${escapeHtml(claim.recipient)} will get no more mail from ${escapeHtml(claim.sender)}.</p>`,
          ),
        );
    });
  });
}
