export {
  ALIYUN_SHAPES,
  type AliyunAnswer,
  AliyunCallError,
  type AliyunClient,
  type AliyunClientOptions,
  type AliyunJson,
  type AliyunParams,
  type AliyunRequestOptions,
  type AliyunShape,
  acsTimestamp,
  createAliyunClient,
  DM_VERSION,
  encodeWire,
  type SignedAliyunRequest,
  type WireEncoding,
} from './aliyun-client.ts';
export { deleteKeysWithPrefix } from './cleanup-prefix.ts';
export { commandsDuring, type LoggedCommand, parseMonitorLine } from './command-log.ts';
export {
  type FakeAliyunDm,
  type FakeAliyunDmOptions,
  type FakeDmAnswer,
  type FakeDmFailOptions,
  type FakeDmOutcome,
  type FakeDmSendRequest,
  type RecordedDmRequest,
  startFakeAliyunDm,
} from './fake-aliyun-dm.ts';
export { DOCUMENTED_DM_ERRORS, type DocumentedDmError, dmErrorFor } from './fake-aliyun-dm-errors.ts';
export { checkSingleSendMail, type FakeSingleSendMail } from './fake-aliyun-dm-params.ts';
export {
  type FakeSendCloud,
  type FakeSendCloudAnswer,
  type FakeSendCloudDelivery,
  type FakeSendCloudEncoding,
  type FakeSendCloudOptions,
  type FakeSendCloudOutcome,
  type FakeSendCloudSendRequest,
  type RecordedSendCloudRequest,
  startFakeSendCloud,
} from './fake-sendcloud.ts';
export { DOCUMENTED_SENDCLOUD_ERRORS, type DocumentedSendCloudError, sendCloudMessageFor } from './fake-sendcloud-errors.ts';
export {
  checkMailSend,
  type FakeSendCloudAttachment,
  type FakeSendCloudMail,
  type FakeSendCloudMessage,
  type FakeSendCloudRefusal,
  type FakeXsmtpapi,
  messagesOf,
  recipientsOf,
} from './fake-sendcloud-params.ts';
export {
  type FakeSendEmailRequest,
  type FakeTencentAnswer,
  type FakeTencentOutcome,
  type FakeTencentSes,
  type FakeTencentSesOptions,
  type RecordedTencentRequest,
  type SendEmailBody,
  startFakeTencentSes,
} from './fake-tencent-ses.ts';
export { type RedisClusterNode, type RedisClusterOptions, startRedisCluster, type TestRedisCluster } from './redis-cluster.ts';
export { type CapturedMail, type SmtpCapture, type SmtpCaptureOptions, type SmtpReply, startSmtpCapture } from './smtp-capture.ts';
export {
  createTencentClient,
  type SignedTencentRequest,
  type TencentAnswer,
  TencentCallError,
  type TencentClient,
  type TencentClientOptions,
  type TencentRequestOptions,
  type TencentResponse,
} from './tencent-client.ts';
export { startTestRedis, type TestRedis } from './test-redis.ts';
export { uniquePrefix } from './unique-prefix.ts';
