export { type TestRedis, startTestRedis } from './test-redis.ts';
export { uniquePrefix } from './unique-prefix.ts';
export { deleteKeysWithPrefix } from './cleanup-prefix.ts';
export {
  type SendEmailBody,
  type FakeTencentOutcome,
  type FakeTencentAnswer,
  type FakeSendEmailRequest,
  type RecordedTencentRequest,
  type FakeTencentSes,
  type FakeTencentSesOptions,
  startFakeTencentSes,
} from './fake-tencent-ses.ts';
export {
  type SignedTencentRequest,
  type TencentAnswer,
  type TencentClient,
  type TencentClientOptions,
  type TencentRequestOptions,
  type TencentResponse,
  TencentCallError,
  createTencentClient,
} from './tencent-client.ts';
export {
  ALIYUN_SHAPES,
  type AliyunAnswer,
  type AliyunClient,
  type AliyunClientOptions,
  type AliyunJson,
  type AliyunParams,
  type AliyunRequestOptions,
  type AliyunShape,
  AliyunCallError,
  DM_VERSION,
  type SignedAliyunRequest,
  type WireEncoding,
  acsTimestamp,
  createAliyunClient,
  encodeWire,
} from './aliyun-client.ts';
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
export { type FakeSingleSendMail, checkSingleSendMail } from './fake-aliyun-dm-params.ts';
export { type DocumentedDmError, DOCUMENTED_DM_ERRORS, dmErrorFor } from './fake-aliyun-dm-errors.ts';
export { type SmtpCapture, type SmtpCaptureOptions, type SmtpReply, type CapturedMail, startSmtpCapture } from './smtp-capture.ts';
export { type RedisClusterNode, type RedisClusterOptions, type TestRedisCluster, startRedisCluster } from './redis-cluster.ts';
export { type LoggedCommand, commandsDuring, parseMonitorLine } from './command-log.ts';
