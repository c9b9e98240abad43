export { buildMime, MimeHeaderError } from './mime.ts';
export { type OutboxEntry, type OutboxStoreOptions, OutboxStore } from './outbox-store.ts';
export { type OutboxTransportOptions, createOutboxTransport } from './outbox-transport.ts';
export { type SmtpTransportOptions, createSmtpTransport } from './smtp-transport.ts';
export { type TencentSesTransportOptions, createTencentSesTransport } from './tencent-ses-transport.ts';
export { type AliyunDmTransportOptions, type SingleSendMailCall, createAliyunDmTransport, toSingleSendMailCalls } from './aliyun-dm-transport.ts';
export { createNullTransport } from './null-transport.ts';
export { classifyTencentSesAnswer } from './tencent-ses-classify.ts';
export { classifySmtpReply } from './smtp-classify.ts';
