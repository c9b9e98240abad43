export { type Keys, createKeys } from './keys.ts';
export { type RedisClient, type RedisConnectionOptions, createRedisClient } from './redis-client.ts';
export { type RedisServerProcess, type SpawnRedisOptions, freePort, spawnRedisServer } from './redis-server-process.ts';
export { type RecipientStatusRow, type StatusQuery, type MessageStoreOptions, MessageStore } from './message-store.ts';
export { SuppressionStore } from './suppression-store.ts';
export { DomainHoldStore } from './domain-hold-store.ts';
export { type EmailIdentityRecord, type IdentityTag, IdentityStore } from './identity-store.ts';
export { type SenderAddressRecord, SenderAddressStore } from './sender-address-store.ts';
export { type TemplateRecord, type TemplateInput, TEMPLATE_APPROVED, AUTO_APPROVAL_REASON, TemplateStore } from './template-store.ts';
