import Fastify, { type FastifyInstance } from 'fastify';
import { registerDashboard } from './admin/dashboard-plugin.ts';
import { registerDeadLetterRoutes } from './admin/dead-letter-routes.ts';
import { ALIYUN_ACTIONS } from './aliyun/action-registry.ts';
import { aliyunDialect } from './aliyun/dialect.ts';
import type { ApiDeps } from './api-deps.ts';
import { clientErrorHandler } from './client-error.ts';
import { registerDialectRouter } from './dialect-router.ts';
import { registerOpsRoutes } from './ops-routes.ts';
import { registerOutboxRoutes } from './outbox-routes.ts';
import { oversizedRefusal } from './oversized-refusal.ts';
import { RefusedBodyDrains, refuseOversizedBeforeContinue } from './refused-body.ts';
import type { SendCloudAction } from './sendcloud/action.ts';
import { SENDCLOUD_ACTIONS } from './sendcloud/action-registry.ts';
import { registerSendCloudRoutes } from './sendcloud/dialect.ts';
import { sendCloudOversizedRefusal } from './sendcloud/oversized.ts';
import { resolveSendCloudSettings, sendCloudBodyLimit } from './sendcloud/settings.ts';
import { TENCENT_ACTIONS } from './tencent/action-registry.ts';
import { tencentDialect } from './tencent/dialect-plugin.ts';
import { registerTrackingRoutes } from './tracking-routes.ts';
import { registerUnsubscribeRoutes } from './unsubscribe-routes.ts';

/**
 * Builds the HTTP API (not listening yet). Guarantees: nothing starts at import; every route
 * answers in its own shape (on `/`, Tencent's or Alibaba DirectMail's envelope by the request's
 * shape; on `/apiv2/`, SendCloud's; JSON or HTML elsewhere), never a bare 500.
 */
export function buildApiServer(
  deps: ApiDeps,
  /** `sendCloudActions`: what `/apiv2/` serves. Default SENDCLOUD_ACTIONS (tests add probes of the wire). */
  options: { readonly sendCloudActions?: readonly SendCloudAction[] } = {},
): FastifyInstance {
  const app = Fastify({
    // Per-request access logs are off (info level); warnings and errors still reach the app logger.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: deps.logger.levelVal > 40 ? deps.logger.level : 'warn' }),
    // No child logger per request (Fastify's default binds reqId, serialising bindings on every
    // request, logged or not): only warnings and errors are logged here, and they carry the
    // Tencent RequestId themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: deps.limits.maxRequestBytes,
    // The request limit bounds the head too, not Node's 16 KiB: the dm SDK puts every business
    // parameter of most actions in the query (a 500-member SaveReceiverDetail is ~40 KB of URL).
    http: { maxHeaderSize: deps.limits.maxRequestBytes },
    trustProxy: true,
    // Unsubscribe tokens are ~150 characters; Fastify's default (100) would answer 414.
    routerOptions: { maxParamLength: 1024 },
    // A request Node's HTTP parser refuses still gets its dialect's error envelope, not a bare 400.
    clientErrorHandler: clientErrorHandler({ maxHeadBytes: deps.limits.maxRequestBytes }),
  }) as unknown as FastifyInstance; // pino's Logger type parameter differs from Fastify's default; the instance is the same
  // `Expect: 100-continue` with a Content-Length over the limit is refused before the body is sent,
  // in the envelope of the dialect the request's head shows.
  const sendCloudBodyBytes = sendCloudBodyLimit(deps.limits.maxRequestBytes, resolveSendCloudSettings(deps.sendCloud));
  refuseOversizedBeforeContinue(app.server, (req) => sendCloudOversizedRefusal(req, sendCloudBodyBytes) ?? oversizedRefusal(req, deps.limits.maxRequestBytes));
  // Connections still sending a refused body, in either dialect; shutting down does not wait for them.
  const drains = new RefusedBodyDrains({ maxRequestBytes: deps.limits.maxRequestBytes });
  app.addHook('preClose', async () => drains.abortAll());
  // Tencent's and Alibaba's SDKs both call `/`; the router picks the dialect by the request's shape.
  registerDialectRouter(app, {
    maxRequestBytes: deps.limits.maxRequestBytes,
    dialects: { tencent: tencentDialect(deps, TENCENT_ACTIONS, { drains }), aliyun: aliyunDialect(deps, ALIYUN_ACTIONS, { drains }) },
  });
  // SendCloud's clients call `/apiv2/<module>/<action>`, a path of its own.
  registerSendCloudRoutes(app, deps, options.sendCloudActions ?? SENDCLOUD_ACTIONS, { drains });
  registerOutboxRoutes(app, deps);
  registerUnsubscribeRoutes(app, deps);
  registerTrackingRoutes(app, deps);
  registerDashboard(app, deps.dashboard);
  registerDeadLetterRoutes(app, deps.dashboard.access, deps.webhooks);
  registerOpsRoutes(app, deps.ops);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NotFound', message: `No route for ${req.method} ${req.url}` }));
  return app;
}
