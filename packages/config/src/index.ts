export { envSchema, type RawEnv } from './config-schema.ts';
export { type PostmillConfig, type TransportConfig, ConfigError, parseConfig } from './config.ts';
export { loadConfigOrExit } from './load-config.ts';
export { type RateValue, type SendRate, TRANSPORT_RATES, resolveSendRate } from './send-rate.ts';
