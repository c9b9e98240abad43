import { z } from 'zod';
import { rateSetting } from './send-rate.ts';

const int = (def: number, min = 1) => z.coerce.number().int().min(min).default(def);
const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/**
 * Every environment variable Postmill reads, with its default. This is the public contract the
 * README's configuration table documents; nothing else reads `process.env`.
 */
export const envSchema = z.object({
  REDIS_URL: optionalString,
  REDIS_CLUSTER_NODES: optionalString,
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/u, 'letters, digits, _ . - only')
    .default('postmill'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(8080, 0).pipe(z.number().max(65_535)),
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /** Sender domains whose Tencent-dialect mail is tracked (opens and clicks), comma-separated. Default: none. */
  TRACKING_DOMAINS: z.string().default(''),
  /** Days the per-recipient open/click counters of a message are kept after their last hit. Default 90. */
  TRACKING_RETENTION_DAYS: int(90),
  /** Days a recipient-level event (request, delivered, opened...) stays in the event log. Default 30. */
  EVENT_LOG_RETENTION_DAYS: int(30),
  /** Write the recipient-level event log and feed the webhooks from it. Default false (see the README: its cost on campaigns). */
  EVENT_LOG: z.stringbool().default(false),
  POSTMILL_SECRET_ID: optionalString,
  POSTMILL_SECRET_KEY: optionalString,
  MAIL_TRANSPORT: z.enum(['outbox', 'smtp', 'tencent-ses', 'aliyun-dm', 'sendcloud', 'null']).default('outbox'),
  SMTP_URL: optionalString.pipe(z.url().optional()),
  SMTP_MAX_CONNECTIONS: int(5),
  TENCENT_SES_ENDPOINT: z.url().default('https://ses.tencentcloudapi.com'),
  TENCENT_SES_SECRET_ID: optionalString,
  TENCENT_SES_SECRET_KEY: optionalString,
  TENCENT_SES_REGION: z.string().default('ap-guangzhou'),
  // Unset: the region's endpoint (cn-hangzhou: https://dm.aliyuncs.com; see config.ts).
  ALIYUN_DM_ENDPOINT: optionalString.pipe(z.url().optional()),
  ALIYUN_DM_ACCESS_KEY_ID: optionalString,
  ALIYUN_DM_ACCESS_KEY_SECRET: optionalString,
  ALIYUN_DM_REGION: z
    .string()
    .trim()
    .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/u, 'an Alibaba Cloud region id such as cn-hangzhou')
    .default('cn-hangzhou'),
  ALIYUN_DM_TAG_NAME: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/u, '1 to 128 letters, digits, _ or - (a DirectMail tag)')
      .optional(),
  ),
  SENDCLOUD_ENDPOINT: z.url().default('https://api.sendcloud.net/apiv2'),
  SENDCLOUD_API_USER: optionalString,
  SENDCLOUD_API_KEY: optionalString,
  SENDCLOUD_LABEL_ID: optionalString.pipe(
    z
      .string()
      .regex(/^[1-9]\d{0,17}$/u, 'a positive integer (a SendCloud labelId)')
      .optional(),
  ),
  PROVIDER_TIMEOUT_MS: int(10_000),
  // Unset: the selected transport's own variable, then its default (see send-rate.ts).
  SEND_RATE_PER_SECOND: rateSetting,
  TENCENT_SES_RATE_PER_SECOND: rateSetting,
  ALIYUN_DM_RATE_PER_SECOND: rateSetting,
  SENDCLOUD_RATE_PER_SECOND: rateSetting,
  SMTP_RATE_PER_SECOND: rateSetting,
  OUTBOX_RATE_PER_SECOND: rateSetting,
  NULL_RATE_PER_SECOND: rateSetting,
  SEND_CHUNK_SIZE: int(50),
  // Unset: 500 with the null transport, SEND_CHUNK_SIZE otherwise (see config.ts). At most 5 000: a
  // chunk's read scripts pass its addresses as one Lua unpack (about 8 000 at most).
  CAMPAIGN_JOB_RECIPIENTS: z.coerce.number().int().min(1).max(5000).optional(),
  WORKER_CONCURRENCY: int(8),
  JOB_LOCK_MS: int(30_000, 1000),
  SEND_MAX_ATTEMPTS: int(8),
  SEND_MAX_THROTTLES: int(10, 0),
  TEMPORARY_BLOCK_HOLD_SECONDS: int(600),
  FREQUENCY_LIMIT_BACKOFF_SECONDS: int(60),
  OUTBOX_MAX_MESSAGES: int(1000),
  STATUS_RETENTION_DAYS: int(30),
  TASK_RETENTION_DAYS: int(90),
  STATISTICS_RETENTION_DAYS: int(90),
  MAX_REQUEST_BYTES: int(8 * 1024 * 1024),
  MAX_ATTACHMENT_BYTES: int(4 * 1024 * 1024),
  MAX_DESTINATIONS: int(50),
  RECEIVER_LIST_MAX_SIZE: int(50_000),
  RECEIVER_UPLOAD_MAX: int(20_000),
  RECEIVER_TEMPLATE_DATA_MAX_BYTES: int(800),
  TEMPLATE_DATA_MAX_BYTES: int(64 * 1024),
  API_RATE_LIMIT_PER_SECOND: int(20, 0),
  // Unset: each dialect's own default (TC3: off, as Tencent serves identical requests).
  API_REPLAY_PROTECTION: z.enum(['on', 'off']).optional(),
  IDEMPOTENCY_WINDOW_SECONDS: int(24 * 60 * 60),
  // SendCloud's own caps: 10 MiB of attachments per mail (40819), 10 apiUsers (41112), 100
  // addresses in each of to, cc, bcc and xsmtpapi.to (40807, 40854, 40857, 40827).
  SENDCLOUD_MAX_ATTACHMENT_BYTES: int(10_485_760),
  SENDCLOUD_MAX_API_USERS: int(10),
  SENDCLOUD_MAX_RECIPIENTS: int(100),
  // The SendCloud transport: personal mails per xsmtpapi mail/send (SendCloud's cap, 40827, is 100).
  SENDCLOUD_BATCH_RECIPIENTS: int(100).pipe(z.number().max(100)),
  // Postmill's own: attachment bytes one request may store, one copy per xsmtpapi mail (see config.ts).
  SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES: int(52_428_800),
  // DirectMail's own caps for SingleSendMail: 100 ToAddress (and BccAddress), a 256-character Subject.
  ALIYUN_MAX_RECIPIENTS: int(100),
  ALIYUN_MAX_SUBJECT_LENGTH: int(256),
  // Webhooks and callbacks (packages/webhooks). SendCloud's own: 3 s per POST, retries after 1, 2, 4, 8, 16 minutes.
  WEBHOOK_TIMEOUT_MS: int(3000),
  WEBHOOK_RETRY_DELAYS_SECONDS: z
    .string()
    .trim()
    .default('60,120,240,480,960')
    .pipe(z.string().regex(/^(\d+(\.\d+)?)(\s*,\s*\d+(\.\d+)?)*$/u, 'comma-separated seconds, e.g. 60,120,240,480,960')),
  WEBHOOK_CONCURRENCY: int(16),
  WEBHOOK_DEAD_LETTER_RETENTION_DAYS: int(30),
  WEBHOOK_ALLOW_PRIVATE: z.stringbool().default(true),
  WEBHOOK_ALLOW_CIDRS: z.string().trim().default(''),
  WEBHOOK_DENY_CIDRS: z.string().trim().default(''),
  SENDCLOUD_WEBHOOK_KEY: optionalString,
  DATA_DIR: z.string().default('.postmill'),
  SCHEDULE_TIMEZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'not an IANA time zone'),
  WORKER_PORT: int(9091, 0).pipe(z.number().max(65_535)),
  SHUTDOWN_GRACE_SECONDS: int(25),
  DASHBOARD_USERNAME: optionalString,
  DASHBOARD_PASSWORD: optionalString,
  DASHBOARD_ALLOW_WRITES: z.stringbool().default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RawEnv = z.output<typeof envSchema>;
