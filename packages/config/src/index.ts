export { ConfigError, type PostmillConfig, parseConfig, type TransportConfig, type WebhookConfig } from './config.ts';
export { envSchema, type RawEnv } from './config-schema.ts';
export { loadConfigOrExit } from './load-config.ts';
export { type RateValue, resolveSendRate, type SendRate, TRANSPORT_RATES } from './send-rate.ts';
