export { createLogger } from './logger.ts';
export { credentialLookup, unsubscribeSecret } from './secrets.ts';
export { createTransport } from './transport-factory.ts';
export { type SharedServices, createSharedServices } from './shared-services.ts';
export { type RunningApi, startApi } from './api-process.ts';
export { type RunningWorker, startWorker } from './worker-process.ts';
export { exitOnSignals } from './shutdown.ts';
