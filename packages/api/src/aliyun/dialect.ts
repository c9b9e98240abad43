import { randomUUID } from 'node:crypto';
import { RequestAdmissionStore } from '@postmill/store';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiDeps } from '../api-deps.ts';
import type { WireDialect } from '../dialect-router.ts';
import type { RefusedBodyDrains } from '../refused-body.ts';
import { refusesReplays } from '../tencent/request-admission.ts';
import type { AliyunAction } from './action.ts';
import { AliyunApiError } from './aliyun-api-error.ts';
import { admitNonce, verifyAliyunSignature } from './authenticate.ts';
import { CLOUD_ONLY_ACTIONS } from './cloud-only-actions.ts';
import { directMailPort } from './engine-port.ts';
import { hostIdOf, sendError, sendSuccess } from './envelope.ts';
import { aliyunErrorAnswer, isServerFault } from './error-table.ts';
import { ActionParams } from './params.ts';
import { type AnswerFormat, bestEffortFormat, readAliyunRequest } from './request.ts';

/** The DirectMail API version this dialect serves. */
export const DM_API_VERSION = '2015-11-23';

/** Alibaba signs a nonce into every request, so refusing a reused one is the vendor's behaviour. */
const ACS_REFUSES_REPLAYS_BY_DEFAULT = true;

declare module 'fastify' {
  interface FastifyRequest {
    aliyunRequestId?: string;
  }
}

/**
 * The Alibaba Cloud DirectMail 2015-11-23 RPC dialect on `GET` and `POST /` (the router sends it
 * the requests shaped like Alibaba's). Guarantees: an action runs only when the V1 or V3 signature
 * verifies against the Postmill credential, the timestamp is within 15 minutes, and the nonce is
 * new; every answer carries a RequestId, in JSON or, when `Format=XML`, XML; every refusal has the
 * vendor's HTTP status and `{RequestId, HostId, Code, Message}` through the one error table
 * (error-table.ts); only server faults (5xx) are logged.
 */
export function aliyunDialect(deps: ApiDeps, actionList: readonly AliyunAction[], options: { readonly drains: RefusedBodyDrains }): WireDialect {
  const byName = new Map(actionList.map((a) => [a.name, a]));
  const admissions = new RequestAdmissionStore({ redis: deps.redis, keys: deps.keys });
  const refuseReplays = refusesReplays(deps.limits.apiReplayProtection, ACS_REFUSES_REPLAYS_BY_DEFAULT);
  const port = directMailPort(deps);

  function answerError(err: unknown, req: FastifyRequest, reply: FastifyReply, where: { format: AnswerFormat; action: string | undefined }): FastifyReply {
    const requestId = req.aliyunRequestId ?? randomUUID().toUpperCase();
    const error = aliyunErrorAnswer(err, { action: where.action });
    if (isServerFault(error)) {
      if (error.status === 503) req.log.warn({ err, requestId }, 'Redis unavailable; DirectMail request refused');
      else req.log.error({ err, requestId, action: where.action }, 'internal error in the DirectMail dialect');
    }
    return sendError(reply, { format: where.format, requestId, hostId: hostIdOf(req.headers), error });
  }

  async function serve(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const requestId = randomUUID().toUpperCase();
    req.aliyunRequestId = requestId;
    // Known once the request was read; before that (or when reading it failed) bestEffortFormat,
    // only on that error path: it decodes the form body a second time.
    let format: AnswerFormat | undefined;
    let actionName: string | undefined;
    try {
      const request = readAliyunRequest(req);
      format = request.format;
      const nowMs = deps.clock.now();
      const verified = verifyAliyunSignature(req, request, { lookupSecret: deps.lookupSecret, nowMs });
      if (request.action === undefined) throw new AliyunApiError('missing-action', {});
      actionName = request.action;
      if (request.version !== undefined && request.version !== DM_API_VERSION) throw new AliyunApiError('invalid-version', { version: request.version });
      const action = byName.get(request.action);
      if (!action) {
        const feature = CLOUD_ONLY_ACTIONS.get(request.action);
        if (feature !== undefined) throw new AliyunApiError('cloud-only-action', { action: request.action, feature });
        throw new AliyunApiError('unknown-action', { action: request.action });
      }
      await admitNonce(admissions, { verified, action: action.name, refuseReplays, limitPerSecond: deps.limits.apiRequestsPerSecond, nowMs });
      let log: Logger | undefined; // made on first use: most requests log nothing
      const fields = await action.handle(new ActionParams(request.params), {
        requestId,
        deps,
        port,
        get log() {
          log ??= deps.logger.child({ dialect: 'aliyun', action: action.name, requestId });
          return log;
        },
        accessKeyId: verified.accessKeyId,
        nowMs,
      });
      return sendSuccess(reply, { format, action: action.name, requestId, fields });
    } catch (err) {
      return answerError(err, req, reply, { format: format ?? bestEffortFormat(req), action: actionName });
    }
  }

  return {
    handlePost: serve,
    handleOtherMethod: async (req, reply) => {
      if (req.method === 'GET' || req.method === 'HEAD') return serve(req, reply);
      return answerError(new AliyunApiError('unsupported-http-method', { method: req.method }), req, reply, {
        format: bestEffortFormat(req),
        action: undefined,
      });
    },
    handleError: async (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const where = { format: bestEffortFormat(req, { bodyUnread: true }), action: undefined };
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        // The rest of the body is read (bounded) so the client reads the answer, not a reset; on a
        // keep-alive connection the answer goes out at once, as in the Tencent dialect.
        await options.drains.beforeAnswer(req, reply);
        return answerError(new AliyunApiError('body-too-large', { maxBytes: deps.limits.maxRequestBytes }), req, reply, where);
      }
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return answerError(new AliyunApiError('unreadable-request', { detail: err.message }, { cause: err }), req, reply, where);
      }
      return answerError(err, req, reply, where);
    },
  };
}
