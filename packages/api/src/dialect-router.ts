import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { chooseDialect, chooseDialectWithoutBody, type DialectName } from './dialect-shape.ts';

/**
 * One wire dialect served on `/`. Guarantees of an implementation: it answers every request and
 * every error in its own envelope and never lets an error escape unanswered.
 */
export interface WireDialect {
  /** A POST whose shape is this dialect's. */
  handlePost(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  /** Any other method (GET, PUT, DELETE, PATCH, OPTIONS; HEAD comes with GET). */
  handleOtherMethod(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
  /** An error thrown by a handler above, or by Fastify before one ran (body too large, unreadable). */
  handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The dialect the router chose for a request on `/`, once its body was read. */
    wireDialect?: DialectName;
  }
}

function rawQuery(req: FastifyRequest): string {
  const q = req.url.indexOf('?');
  return q === -1 ? '' : req.url.slice(q + 1);
}

/**
 * Serves every dialect on `/`, each chosen by the request's shape (dialect-shape.ts). Guarantees:
 * the body reaches a dialect as raw bytes (signatures cover the exact bytes; nothing is parsed
 * before authentication), bounded by `maxRequestBytes`; every method on `/` is answered by a
 * dialect, and every error by the dialect the request was chosen for (by its headers and query
 * when the body could not be read).
 */
export function registerDialectRouter(
  app: FastifyInstance,
  options: { readonly maxRequestBytes: number; readonly dialects: Readonly<Record<DialectName, WireDialect>> },
): void {
  const { dialects } = options;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.maxRequestBytes }, (_req, body, done) => done(null, body));

    scope.setErrorHandler(async (err: FastifyError, req, reply) => {
      const name = req.wireDialect ?? chooseDialectWithoutBody({ headers: req.headers, rawQuery: rawQuery(req) });
      return dialects[name].handleError(err, req, reply);
    });

    scope.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: '/',
      handler: async (req, reply) => {
        const body = Buffer.isBuffer(req.body) ? req.body : undefined;
        const name = chooseDialect({ headers: req.headers, rawQuery: rawQuery(req), body });
        req.wireDialect = name;
        const dialect = dialects[name];
        return req.method === 'POST' ? dialect.handlePost(req, reply) : dialect.handleOtherMethod(req, reply);
      },
    });
  });
}
