export { type ApiProcessOptions, type RunningApi, startApi } from './api-process.ts';
export { createLogger } from './logger.ts';
export { type GuardProcessOptions, guardProcess, type ProcessExit } from './process-exit.ts';
export { createProcessMetrics, type ProcessMetricsOptions } from './process-metrics.ts';
export { createReadinessProbe, type ReadinessProbeOptions, type ReadinessReport } from './readiness.ts';
export { checkRedisEvictionPolicy, type EvictionPolicyReading, SAFE_EVICTION_POLICY } from './redis-eviction-check.ts';
export { credentialLookup, trackingSecret, unsubscribeSecret } from './secrets.ts';
export { createSharedServices, type SharedServices } from './shared-services.ts';
export { exitOnSignals } from './shutdown.ts';
export {
  assertPortFree,
  type ListenTarget,
  listenFailure,
  redactRedisUrl,
  redisUnreachable,
  StartupError,
  type StartupErrorCode,
} from './startup-error.ts';
export { createTransport } from './transport-factory.ts';
export { startWorkerHttp, type WorkerHttp, type WorkerHttpOptions } from './worker-http.ts';
export { type RunningWorker, startWorker, type WorkerProcessOptions } from './worker-process.ts';
