import { randomUUID } from 'node:crypto';
import { isEngineError } from '@postmill/core';
import { isStorageUnavailable, RequestAdmissionStore } from '@postmill/store';
import { verifyTc3 } from '@postmill/tc3';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiDeps } from '../api-deps.ts';
import type { WireDialect } from '../dialect-router.ts';
import type { RefusedBodyDrains } from '../refused-body.ts';
import type { TencentAction } from './action.ts';
import { errorEnvelope, isCallerError, successEnvelope } from './envelope.ts';
import { tencentAnswerFor } from './error-table.ts';
import { readIdempotencyKey } from './idempotency-key.ts';
import { toTencentInputError } from './input-errors.ts';
import { oversizedBodyMessage } from './oversized-body.ts';
import { admitRequest, MAX_TIMESTAMP_SKEW_SECONDS, refusesReplays, TC3_REFUSES_REPLAYS_BY_DEFAULT } from './request-admission.ts';
import { TencentApiError } from './tencent-api-error.ts';

const API_VERSION = '2020-10-02';
const utf8 = new TextDecoder('utf-8', { fatal: true });

declare module 'fastify' {
  interface FastifyRequest {
    tencentRequestId?: string;
    /** The action being answered, once known: Tencent's error codes differ per action (error-table.ts). */
    tencentAction?: string;
  }
}

function send(reply: FastifyReply, body: unknown): FastifyReply {
  // Tencent answers API errors with HTTP 200 and exactly `application/json` (the Python SDK checks it).
  // A Buffer payload, because Fastify appends `; charset=utf-8` to a JSON content type sent with a string.
  return reply
    .code(200)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(body), 'utf8'));
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The Tencent SES 2020-10-02 dialect on `POST /`. Guarantees: every answer, including malformed
 * JSON, invalid UTF-8, oversized bodies, unknown actions and internal failures, is HTTP 200 in
 * Tencent's envelope with a RequestId (the rest of an oversized body is still read, up to 8× the
 * limit and 30 s, so the client reads the answer rather than a connection reset); only unexpected
 * errors are logged (at error level). A request reaches its action only when its signature
 * verifies, was never accepted before when replay protection is on (`API_REPLAY_PROTECTION`; off
 * by default for TC3, as at Tencent), and its SecretId is within
 * `limits.apiRequestsPerSecond` for that action.
 */
export function tencentDialect(deps: ApiDeps, actions: readonly TencentAction[], options: { readonly drains: RefusedBodyDrains }): WireDialect {
  const byName = new Map(actions.map((a) => [a.name, a]));
  const admissions = new RequestAdmissionStore({ redis: deps.redis, keys: deps.keys });
  const refuseReplays = refusesReplays(deps.limits.apiReplayProtection, TC3_REFUSES_REPLAYS_BY_DEFAULT);

  // The router (dialect-router.ts) owns `/` and its raw-body parser, and hands each request, and
  // each error before a handler ran, to the dialect whose shape it has.
  return {
    handleError: async (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const requestId = req.tencentRequestId ?? randomUUID();
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        // The rest of the body is read (bounded) so the client reads the answer, not a reset.
        await options.drains.beforeAnswer(req, reply);
        return send(reply, errorEnvelope(requestId, 'RequestSizeLimitExceeded', oversizedBodyMessage(deps.limits.maxRequestBytes)));
      }
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return send(reply, errorEnvelope(requestId, 'InvalidParameter', `The request could not be read: ${err.message}`));
      }
      if (isCallerError(err)) return send(reply, errorEnvelope(requestId, err.code, err.message));
      // Engine refusals and an unreachable Redis, through the one Tencent error table.
      const answer = tencentAnswerFor(err, req.tencentAction);
      if (answer) {
        if (isStorageUnavailable(err) || isEngineError(err, 'storage-unavailable')) req.log.warn({ err, requestId }, 'Redis unavailable; request refused');
        return send(reply, errorEnvelope(requestId, answer.code, answer.message));
      }
      req.log.error({ err, requestId }, 'internal error in the Tencent dialect');
      return send(reply, errorEnvelope(requestId, 'InternalError', 'An internal error occurred; the request was not applied.'));
    },

    // Every other method the router routes (HEAD comes with GET); OPTIONS too, or it would fall
    // through to the plain 404 handler (found by fuzzing).
    handleOtherMethod: async (_req: FastifyRequest, reply: FastifyReply) =>
      send(
        reply,
        errorEnvelope(randomUUID(), 'UnsupportedProtocol', 'Only POST with Content-Type application/json and TC3-HMAC-SHA256 signatures is supported.'),
      ),

    handlePost: async (req: FastifyRequest, reply: FastifyReply) => {
      const requestId = randomUUID();
      req.tencentRequestId = requestId;
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const contentType = (header(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (contentType !== 'application/json') {
        throw new TencentApiError('UnsupportedOperation', 'Only Content-Type application/json (signature v3, TC3-HMAC-SHA256) is supported.');
      }
      const nowMs = deps.clock.now();
      const verified = verifyTc3(
        { method: req.method, headers: req.headers, body },
        { lookupSecret: deps.lookupSecret, nowSeconds: Math.floor(nowMs / 1000), maxSkewSeconds: MAX_TIMESTAMP_SKEW_SECONDS },
      );
      if (!verified.ok) throw new TencentApiError(verified.code, verified.message);

      const actionName = header(req, 'x-tc-action');
      if (!actionName) throw new TencentApiError('MissingParameter', 'The request is missing a required parameter `Action` (header X-TC-Action).');
      const version = header(req, 'x-tc-version');
      if (!version) throw new TencentApiError('MissingParameter', 'The request is missing a required parameter `Version` (header X-TC-Version).');
      if (version !== API_VERSION) throw new TencentApiError('NoSuchVersion', `The API version \`${version}\` does not exist; use ${API_VERSION}.`);
      const action = byName.get(actionName);
      if (!action) throw new TencentApiError('InvalidAction', `The action \`${actionName}\` does not exist.`);
      req.tencentAction = action.name;
      // After the action is known (its name keys the rate counter). Its round trip overlaps decoding
      // and validation (and, for actions that allow it, their reads); nothing is written and no
      // answer but the admission's own refusal is given before it is known.
      const admitted = admitRequest(admissions, {
        signature: verified.signature,
        timestamp: verified.timestamp,
        secretId: verified.secretId,
        action: action.name,
        refuseReplays,
        limitPerSecond: deps.limits.apiRequestsPerSecond,
        nowMs,
      });
      admitted.catch(() => undefined); // awaited below on every path; this only keeps an early refusal from counting as unhandled
      try {
        const input = decodeInput(action, body);
        const idempotencyKey = readIdempotencyKey(req.headers, verified.signedHeaders, action.name);
        if (!action.readsBeforeAdmission) await admitted;
        let log: Logger | undefined; // made on first use: most requests log nothing
        const fields = await action.handle(input, {
          requestId,
          deps,
          get log() {
            log ??= deps.logger.child({ action: action.name, requestId });
            return log;
          },
          secretId: verified.secretId,
          admitted,
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        });
        await admitted; // a no-op for a handler that awaited it; the order of answers does not rest on every handler
        return send(reply, successEnvelope(requestId, fields));
      } catch (err) {
        await admitted; // a refused request gets the refusal, whatever else was wrong with it
        throw err;
      }
    },
  };
}

/** The request body as the action's validated input, or the Tencent error for a body that is not one. */
function decodeInput(action: TencentAction, body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (cause) {
    throw new TencentApiError('InvalidParameter', 'The request body is not valid UTF-8.', { cause });
  }
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new TencentApiError('InvalidParameter', 'The request body is not valid JSON.', { cause });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TencentApiError('InvalidParameter', 'The request body must be a JSON object.');
  }
  if (action.isPlainInput?.(json)) return json;
  const parsed = action.input.safeParse(json, { reportInput: true });
  if (!parsed.success) throw toTencentInputError(parsed.error.issues);
  return parsed.data;
}
