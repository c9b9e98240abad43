export { createLogger } from './logger.ts';
export { credentialLookup, unsubscribeSecret } from './secrets.ts';
export { createTransport } from './transport-factory.ts';
export { type SharedServices, createSharedServices } from './shared-services.ts';
export { type ApiProcessOptions, type RunningApi, startApi } from './api-process.ts';
export { type RunningWorker, type WorkerProcessOptions, startWorker } from './worker-process.ts';
export { type ProcessMetricsOptions, createProcessMetrics } from './process-metrics.ts';
export { type ReadinessProbeOptions, type ReadinessReport, createReadinessProbe } from './readiness.ts';
export { type WorkerHttp, type WorkerHttpOptions, startWorkerHttp } from './worker-http.ts';
export { exitOnSignals } from './shutdown.ts';
export { type EvictionPolicyReading, SAFE_EVICTION_POLICY, checkRedisEvictionPolicy } from './redis-eviction-check.ts';
export { type GuardProcessOptions, type ProcessExit, guardProcess } from './process-exit.ts';
export {
  type ListenTarget,
  StartupError,
  type StartupErrorCode,
  assertPortFree,
  listenFailure,
  redactRedisUrl,
  redisUnreachable,
} from './startup-error.ts';
