export { type AliyunDmTransportOptions, createAliyunDmTransport, type SingleSendMailCall, toSingleSendMailCalls } from './aliyun-dm-transport.ts';
export { buildMime, MimeHeaderError } from './mime.ts';
export { createNullTransport } from './null-transport.ts';
export { type OutboxEntry, OutboxStore, type OutboxStoreOptions } from './outbox-store.ts';
export { createOutboxTransport, type OutboxTransportOptions } from './outbox-transport.ts';
export { classifySmtpReply } from './smtp-classify.ts';
export { createSmtpTransport, type SmtpTransportOptions } from './smtp-transport.ts';
export { classifyTencentSesAnswer } from './tencent-ses-classify.ts';
export { createTencentSesTransport, type TencentSesTransportOptions } from './tencent-ses-transport.ts';
