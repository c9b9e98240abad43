import { randomUUID } from 'node:crypto';
import { isEngineError } from '@postmill/core';
import { ApiUserStore, isStorageUnavailable, RequestAdmissionStore } from '@postmill/store';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiDeps } from '../api-deps.ts';
import type { RefusedBodyDrains } from '../refused-body.ts';
import type { SendCloudAction } from './action.ts';
import { authenticateApiUser } from './authenticate.ts';
import { isSuccessCode, messageOf, refusalEnvelope, sendEnvelope } from './envelope.ts';
import { type SendCloudWhere, sendCloudErrorAnswer } from './error-table.ts';
import { readSendCloudParams, recipientsInXsmtpapi } from './request.ts';
import { SendCloudFailure } from './sendcloud-failure.ts';
import { resolveSendCloudSettings, sendCloudBodyLimit } from './settings.ts';

/** Where SendCloud v2 is served: `/apiv2/<module>/<action>`, as at api.sendcloud.net. */
export const SENDCLOUD_BASE_PATH = '/apiv2';

/** Every method the route answers; those an action does not allow get the envelope, not Fastify's 404. */
const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * The `<module>/<action>` a request names, lower-cased (SendCloud's own doc writes `apiUser/list`),
 * without a trailing slash; '' for `/apiv2` itself.
 */
export function requestedPath(wildcard: string | undefined): string {
  return (wildcard ?? '').replace(/\/+$/u, '').toLowerCase();
}

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * SendCloud API v2 on `GET|POST /apiv2/<module>/<action>` (any other method, path or action gets
 * the envelope too). Guarantees: every answer is HTTP 200 with `{result, statusCode, message,
 * info}` (SendCloud answers refusals with 200; clients read `statusCode`), never a 5xx; an
 * action runs only after `apiUser`/`apiKey` authenticate (40005 otherwise) and the apiUser's
 * per-action budget admits it (50001 otherwise); the body is read in this scope only (urlencoded
 * or multipart, bounded by MAX_REQUEST_BYTES + SENDCLOUD_MAX_ATTACHMENT_BYTES; over it 40819, the
 * rest still drained so the client reads the answer); every refusal goes through the one error
 * table (error-table.ts); only server faults (501) are logged.
 */
export function registerSendCloudRoutes(
  app: FastifyInstance,
  deps: ApiDeps,
  actions: readonly SendCloudAction[],
  options: { readonly drains: RefusedBodyDrains },
): void {
  const settings = resolveSendCloudSettings(deps.sendCloud);
  const bodyLimit = sendCloudBodyLimit(deps.limits.maxRequestBytes, settings);
  const byPath = new Map(actions.map((a) => [a.path.toLowerCase(), a]));
  const admissions = new RequestAdmissionStore({ redis: deps.redis, keys: deps.keys });
  const apiUsers = new ApiUserStore({ redis: deps.redis, keys: deps.keys });

  function answerError(err: unknown, req: FastifyRequest, reply: FastifyReply, where: SendCloudWhere): FastifyReply {
    const answer = sendCloudErrorAnswer(err, where);
    if (answer.serverFault) {
      if (isStorageUnavailable(err) || isEngineError(err, 'storage-unavailable'))
        req.log.warn({ err, dialect: 'sendcloud', path: where.path }, 'Redis unavailable; SendCloud request refused');
      else req.log.error({ err, dialect: 'sendcloud', path: where.path }, 'internal error in the SendCloud dialect');
    }
    return sendEnvelope(reply, refusalEnvelope(answer.statusCode, answer.message));
  }

  async function serve(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = requestedPath((req.params as { '*'?: string })['*']);
    const action = byPath.get(path);
    let where: SendCloudWhere = { path: action?.path.toLowerCase() ?? path };
    try {
      if (action === undefined) throw new SendCloudFailure(6001, path === '' ? 'no action named' : `no action ${path}`);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      if (!(action.methods as readonly string[]).includes(method)) {
        throw new SendCloudFailure(6001, `${action.path} accepts ${action.methods.join(' and ')}, not ${req.method}`);
      }
      const params = await readSendCloudParams({
        contentType: first(req.headers['content-type']),
        rawQuery: rawQuery(req.url),
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
        maxAttachmentBytes: settings.maxAttachmentBytes,
      });
      where = { ...where, recipientsInXsmtpapi: recipientsInXsmtpapi(params) };
      const user = await authenticateApiUser(params, { lookupSecret: deps.lookupSecret, apiUsers });
      const nowMs = deps.clock.now();
      const limitPerSecond = deps.limits.apiRequestsPerSecond;
      const admission = await admissions.admit({
        signature: '',
        refuseReplays: false,
        rememberMs: 0,
        secretId: user.apiUser,
        action: action.path,
        dialect: 'sendcloud',
        limitPerWindow: limitPerSecond,
        nowMs,
      });
      if (admission === 'throttled') throw new SendCloudFailure(50001, `at most ${limitPerSecond} requests of one action per second`);
      const requestId = randomUUID();
      let log: Logger | undefined; // made on first use: most requests log nothing
      const answer = await action.handle(params, {
        requestId,
        deps,
        get log() {
          log ??= deps.logger.child({ dialect: 'sendcloud', action: action.path, requestId });
          return log;
        },
        apiUser: user.apiUser,
        apiUserType: user.type,
        ...(user.tracking === undefined ? {} : { tracking: user.tracking }),
        nowMs,
      });
      const statusCode = answer.statusCode ?? 200;
      return sendEnvelope(reply, { result: isSuccessCode(statusCode), statusCode, message: messageOf(statusCode), info: answer.info });
    } catch (err) {
      return answerError(err, req, reply, where);
    }
  }

  app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
      scope.setErrorHandler(async (err: FastifyError, req, reply) => {
        const where = { path: requestedPath((req.params as { '*'?: string } | undefined)?.['*']) };
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          // The rest of the body is read (bounded) so the client reads the answer, not a reset.
          await options.drains.beforeAnswer(req, reply);
          return answerError(new SendCloudFailure(40819, `the request body is larger than ${bodyLimit} bytes`), req, reply, where);
        }
        if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
          return answerError(new SendCloudFailure(40867, `the request body cannot be read: ${err.message}`), req, reply, where);
        }
        return answerError(err, req, reply, where);
      });
      scope.route({ method: [...ROUTE_METHODS], url: '', handler: serve });
      scope.route({ method: [...ROUTE_METHODS], url: '/*', handler: serve });
      // A method no route takes (TRACE, PROPFIND…) still gets the envelope, not the API's 404 page.
      scope.setNotFoundHandler(async (req, reply) =>
        answerError(new SendCloudFailure(6001, `${req.method} is not a method of this API`), req, reply, { path: undefined }),
      );
    },
    { prefix: SENDCLOUD_BASE_PATH },
  );
}
