import { isIP } from 'node:net';
import { DEFAULT_RETRY_POLICY, type Limits, type RetryPolicyOptions, TENCENT_LIMITS, type TransportKind } from '@postmill/core';
import { envSchema } from './config-schema.ts';
import { resolveSendRate, type SendRate } from './send-rate.ts';

/** Transport settings; only the selected transport's block is present. */
export type TransportConfig =
  | { readonly kind: 'outbox'; readonly maxMessages: number }
  | {
      readonly kind: 'null';
      /** Personal messages the null transport takes per sendPersonalised call: SEND_CHUNK_SIZE. */
      readonly personalBatchSize: number;
    }
  | { readonly kind: 'smtp'; readonly url: string; readonly maxConnections: number; readonly timeoutMs: number }
  | {
      readonly kind: 'tencent-ses';
      readonly endpoint: string;
      readonly secretId: string;
      readonly secretKey: string;
      readonly region: string;
      readonly timeoutMs: number;
    }
  | {
      readonly kind: 'aliyun-dm';
      readonly endpoint: string;
      readonly accessKeyId: string;
      readonly accessKeySecret: string;
      /** DirectMail `TagName` for every mail; absent: none sent. */
      readonly tagName?: string;
      readonly timeoutMs: number;
    }
  | {
      readonly kind: 'sendcloud';
      /** API v2 base, `https://api.sendcloud.net/apiv2` unless SENDCLOUD_ENDPOINT says otherwise; no trailing slash. */
      readonly endpoint: string;
      readonly apiUser: string;
      readonly apiKey: string;
      /** SendCloud `labelId` for every mail (a label created in SendCloud beforehand); absent: none sent. */
      readonly labelId?: string;
      readonly timeoutMs: number;
      /** Personal mails per `xsmtpapi` mail/send (SENDCLOUD_BATCH_RECIPIENTS), 1–100. Default 100, SendCloud's cap. */
      readonly personalBatchSize: number;
    };

/**
 * DirectMail's endpoint for a region (ALIYUN_DM_REGION selects only this: the region is sent
 * nowhere, as the official SDKs send none): `https://dm.aliyuncs.com` for cn-hangzhou (the host of API
 * 2015-11-23, which is what the official SDK calls for every region), `https://dm.<region>.aliyuncs.com`
 * otherwise (the vendor's regional host pattern; not verified, and the vendor documents API
 * 2017-06-22 outside Hangzhou, so set ALIYUN_DM_ENDPOINT explicitly there).
 */
export function aliyunDmEndpoint(region: string): string {
  return region === 'cn-hangzhou' ? 'https://dm.aliyuncs.com' : `https://dm.${region}.aliyuncs.com`;
}

/** CAMPAIGN_JOB_RECIPIENTS's default with the null transport. */
const NULL_JOB_RECIPIENTS = 500;

/** The whole typed configuration, parsed once per app. */
export interface PostmillConfig {
  readonly redis: { readonly url: string | undefined; readonly clusterNodes: readonly string[]; readonly prefix: string };
  readonly http: { readonly host: string; readonly port: number; readonly publicUrl: string };
  readonly credentials: { readonly secretId: string | undefined; readonly secretKey: string | undefined };
  readonly transport: TransportConfig;
  /** Outbox size, kept even when another transport is selected (the outbox pages still read it). */
  readonly outboxMaxMessages: number;
  readonly sending: {
    /** The selected transport's rate limit, across all workers, and the setting it came from. */
    readonly rate: SendRate;
    /** Most recipients in one provider request (SEND_CHUNK_SIZE). Default 50. */
    readonly chunkSize: number;
    /**
     * Recipients of a campaign run one chunk job covers (CAMPAIGN_JOB_RECIPIENTS), sent in requests
     * of at most `chunkSize`; never below `chunkSize`. Default: 500 with the null transport, whose
     * sends cost nothing, so a job's own queue and read work is what bounds a worker; `chunkSize`
     * with every other transport, whose jobs send a few recipients at a time: there a larger job
     * keeps fewer sends in flight per worker and leaves more recipients waiting on a crashed
     * worker's claim (measured by the crash and Redis-restart suites).
     */
    readonly jobRecipients: number;
    readonly concurrency: number;
    /** How long a worker holds a job; a killed worker's jobs are retried after it expires. Default 30 000. */
    readonly jobLockMs: number;
    readonly retry: RetryPolicyOptions;
  };
  readonly limits: Limits;
  /**
   * The SendCloud dialect's own limits: attachment bytes of one request (SENDCLOUD_MAX_ATTACHMENT_BYTES,
   * default 10 485 760, SendCloud's 40819), apiUsers `apiuser/add` may create (SENDCLOUD_MAX_API_USERS,
   * default 10), addresses in each of `to`, `cc`, `bcc` and `xsmtpapi.to` (SENDCLOUD_MAX_RECIPIENTS,
   * default 100, SendCloud's 40807/40854/40857/40827), and the attachment bytes one mail/send or
   * mail/sendtemplate request may store counting one copy per mail it makes
   * (SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES, default 52 428 800; never below SENDCLOUD_MAX_ATTACHMENT_BYTES).
   */
  readonly sendCloud: {
    readonly maxAttachmentBytes: number;
    readonly maxApiUsers: number;
    readonly maxRecipients: number;
    readonly maxStoredAttachmentBytes: number;
  };
  /**
   * The DirectMail dialect's own limits of SingleSendMail: addresses in `ToAddress` and in
   * `BccAddress` (ALIYUN_MAX_RECIPIENTS, default 100, DirectMail's) and `Subject` characters
   * (ALIYUN_MAX_SUBJECT_LENGTH, default 256, DirectMail's).
   */
  readonly directMail: { readonly maxRecipients: number; readonly maxSubjectLength: number };
  /**
   * Days a settled batch task (done, cancelled or error, nothing planned) is kept after it settled;
   * then it expires and leaves ListSendTasks. Default 90 (Tencent documents none).
   */
  readonly taskRetentionDays: number;
  /** Days a day's statistics counters are kept after the day's last write. Default 90 (Tencent's GetStatisticsReport window). */
  readonly statisticsRetentionDays: number;
  readonly timeZone: string;
  readonly logLevel: string;
  /** The worker's own HTTP port for /healthz, /readyz and /metrics. Default 9091; 0 picks a free port. */
  readonly workerPort: number;
  /**
   * How long a stopping worker lets in-flight provider requests finish before it hands unfinished
   * jobs back to the queue. Default 25 s (keep Kubernetes' terminationGracePeriodSeconds above it).
   */
  readonly shutdownGraceMs: number;
  /** Bull Board at /admin/queues: off unless both username and password are set; read-only unless allowWrites. */
  readonly dashboard:
    | { readonly enabled: false; readonly reason: string }
    | { readonly enabled: true; readonly username: string; readonly password: string; readonly allowWrites: boolean };
  /** Where `pnpm start` keeps its embedded Redis data and generated credentials. Default `.postmill`. */
  readonly dataDir: string;
  /**
   * Open and click tracking. `domains` (TRACKING_DOMAINS, default none): sender domains whose mail
   * is tracked when the dialect has no switch of its own (Tencent, whose switch lives in its
   * console); lower-cased. `retentionDays` (TRACKING_RETENTION_DAYS, default 90): how long a
   * message's per-recipient counters are kept after their last hit.
   */
  readonly tracking: { readonly domains: readonly string[]; readonly retentionDays: number };
  /**
   * The recipient-level event log (packages/store EventLogStore). `enabled` (EVENT_LOG, default
   * false): events are written and pushed to the webhooks only when on. `retentionDays`
   * (EVENT_LOG_RETENTION_DAYS, default 30): days an event stays queryable after its hour.
   */
  readonly eventLog: { readonly enabled: boolean; readonly retentionDays: number };
  /** Webhook and callback delivery (packages/webhooks). */
  readonly webhooks: WebhookConfig;
}

/** Webhook delivery settings; every field documents its default and variable. */
export interface WebhookConfig {
  /** Longest one POST may take (WEBHOOK_TIMEOUT_MS). Default 3 000, SendCloud's. */
  readonly timeoutMs: number;
  /** Delay before each retry; its length is the number of retries (WEBHOOK_RETRY_DELAYS_SECONDS). Default 1, 2, 4, 8, 16 minutes, SendCloud's. */
  readonly retryDelaysMs: readonly number[];
  /** Deliveries in flight per worker process (WEBHOOK_CONCURRENCY). Default 16. */
  readonly concurrency: number;
  /** How long dead letters are kept (WEBHOOK_DEAD_LETTER_RETENTION_DAYS). Default 30 days. */
  readonly deadLetterRetentionMs: number;
  /** Private networks are allowed targets (WEBHOOK_ALLOW_PRIVATE). Default true. */
  readonly allowPrivate: boolean;
  /** CIDRs allowed although refused by default, e.g. 127.0.0.0/8 (WEBHOOK_ALLOW_CIDRS). Default none. */
  readonly allowCidrs: readonly string[];
  /** CIDRs refused; they win over the allowed ones (WEBHOOK_DENY_CIDRS). Default none. */
  readonly denyCidrs: readonly string[];
  /** SendCloud's webhook key (APP_KEY) that signs SendCloud-format events (SENDCLOUD_WEBHOOK_KEY). Default unset: SendCloud endpoints get nothing until it is set. */
  readonly sendCloudWebhookKey: string | undefined;
}

/** A comma-separated list, trimmed, empty items dropped. */
function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** True when `value` is an IPv4/IPv6 address or CIDR (e.g. `10.0.0.0/8`, `fe80::/10`, `127.0.0.1`). */
function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/u.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Thrown when the environment is invalid; lists every problem at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ConfigInvalid';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Parses the environment. Guarantees: every default is Tencent's value where Tencent has one;
 * a missing variable the selected transport needs is reported by name; nothing is read later.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): PostmillConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  let transport: TransportConfig;
  const kind: TransportKind = e.MAIL_TRANSPORT;
  if (kind === 'smtp') {
    if (!e.SMTP_URL) problems.push('SMTP_URL: required when MAIL_TRANSPORT=smtp (e.g. smtp://user:pass@host:587)');
    transport = { kind, url: e.SMTP_URL ?? '', maxConnections: e.SMTP_MAX_CONNECTIONS, timeoutMs: e.PROVIDER_TIMEOUT_MS };
  } else if (kind === 'tencent-ses') {
    if (!e.TENCENT_SES_SECRET_ID) problems.push('TENCENT_SES_SECRET_ID: required when MAIL_TRANSPORT=tencent-ses');
    if (!e.TENCENT_SES_SECRET_KEY) problems.push('TENCENT_SES_SECRET_KEY: required when MAIL_TRANSPORT=tencent-ses');
    transport = {
      kind,
      endpoint: e.TENCENT_SES_ENDPOINT.replace(/\/+$/u, ''),
      secretId: e.TENCENT_SES_SECRET_ID ?? '',
      secretKey: e.TENCENT_SES_SECRET_KEY ?? '',
      region: e.TENCENT_SES_REGION,
      timeoutMs: e.PROVIDER_TIMEOUT_MS,
    };
  } else if (kind === 'aliyun-dm') {
    if (!e.ALIYUN_DM_ACCESS_KEY_ID) problems.push('ALIYUN_DM_ACCESS_KEY_ID: required when MAIL_TRANSPORT=aliyun-dm');
    if (!e.ALIYUN_DM_ACCESS_KEY_SECRET) problems.push('ALIYUN_DM_ACCESS_KEY_SECRET: required when MAIL_TRANSPORT=aliyun-dm');
    transport = {
      kind,
      endpoint: (e.ALIYUN_DM_ENDPOINT ?? aliyunDmEndpoint(e.ALIYUN_DM_REGION)).replace(/\/+$/u, ''),
      accessKeyId: e.ALIYUN_DM_ACCESS_KEY_ID ?? '',
      accessKeySecret: e.ALIYUN_DM_ACCESS_KEY_SECRET ?? '',
      ...(e.ALIYUN_DM_TAG_NAME === undefined ? {} : { tagName: e.ALIYUN_DM_TAG_NAME }),
      timeoutMs: e.PROVIDER_TIMEOUT_MS,
    };
  } else if (kind === 'sendcloud') {
    if (!e.SENDCLOUD_API_USER) problems.push('SENDCLOUD_API_USER: required when MAIL_TRANSPORT=sendcloud');
    if (!e.SENDCLOUD_API_KEY) problems.push('SENDCLOUD_API_KEY: required when MAIL_TRANSPORT=sendcloud');
    transport = {
      kind,
      endpoint: e.SENDCLOUD_ENDPOINT.replace(/\/+$/u, ''),
      apiUser: e.SENDCLOUD_API_USER ?? '',
      apiKey: e.SENDCLOUD_API_KEY ?? '',
      ...(e.SENDCLOUD_LABEL_ID === undefined ? {} : { labelId: e.SENDCLOUD_LABEL_ID }),
      timeoutMs: e.PROVIDER_TIMEOUT_MS,
      personalBatchSize: e.SENDCLOUD_BATCH_RECIPIENTS,
    };
  } else if (kind === 'null') {
    transport = { kind: 'null', personalBatchSize: e.SEND_CHUNK_SIZE };
  } else {
    transport = { kind: 'outbox', maxMessages: e.OUTBOX_MAX_MESSAGES };
  }
  if (Boolean(e.DASHBOARD_USERNAME) !== Boolean(e.DASHBOARD_PASSWORD)) {
    problems.push('DASHBOARD_USERNAME, DASHBOARD_PASSWORD: set both to turn the dashboard on, or neither');
  }
  if (e.SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES < e.SENDCLOUD_MAX_ATTACHMENT_BYTES) {
    problems.push(
      `SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES: at least SENDCLOUD_MAX_ATTACHMENT_BYTES (${e.SENDCLOUD_MAX_ATTACHMENT_BYTES}), or a mail with the largest attachments SendCloud takes could never be sent`,
    );
  }
  for (const name of ['WEBHOOK_ALLOW_CIDRS', 'WEBHOOK_DENY_CIDRS'] as const) {
    const bad = commaList(e[name]).filter((c) => !isCidr(c));
    if (bad.length > 0) problems.push(`${name}: not an address or CIDR: ${bad.join(', ')} (e.g. 127.0.0.0/8,::1)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    redis: {
      url: e.REDIS_URL,
      clusterNodes: e.REDIS_CLUSTER_NODES
        ? e.REDIS_CLUSTER_NODES.split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
      prefix: e.REDIS_PREFIX,
    },
    http: { host: e.HOST, port: e.PORT, publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/u, '') },
    credentials: { secretId: e.POSTMILL_SECRET_ID, secretKey: e.POSTMILL_SECRET_KEY },
    transport,
    outboxMaxMessages: e.OUTBOX_MAX_MESSAGES,
    sending: {
      rate: resolveSendRate(kind, {
        override: e.SEND_RATE_PER_SECOND,
        perTransport: {
          'tencent-ses': e.TENCENT_SES_RATE_PER_SECOND,
          'aliyun-dm': e.ALIYUN_DM_RATE_PER_SECOND,
          sendcloud: e.SENDCLOUD_RATE_PER_SECOND,
          smtp: e.SMTP_RATE_PER_SECOND,
          outbox: e.OUTBOX_RATE_PER_SECOND,
          null: e.NULL_RATE_PER_SECOND,
        },
      }),
      chunkSize: e.SEND_CHUNK_SIZE,
      jobRecipients: Math.max(e.SEND_CHUNK_SIZE, e.CAMPAIGN_JOB_RECIPIENTS ?? (kind === 'null' ? NULL_JOB_RECIPIENTS : e.SEND_CHUNK_SIZE)),
      concurrency: e.WORKER_CONCURRENCY,
      jobLockMs: e.JOB_LOCK_MS,
      retry: {
        ...DEFAULT_RETRY_POLICY,
        maxAttempts: e.SEND_MAX_ATTEMPTS,
        maxThrottles: e.SEND_MAX_THROTTLES,
        domainHoldMs: e.TEMPORARY_BLOCK_HOLD_SECONDS * 1000,
        recipientBackoffMs: e.FREQUENCY_LIMIT_BACKOFF_SECONDS * 1000,
      },
    },
    limits: {
      ...TENCENT_LIMITS,
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      maxAttachmentBytes: e.MAX_ATTACHMENT_BYTES,
      maxDestinations: e.MAX_DESTINATIONS,
      statusRetentionDays: e.STATUS_RETENTION_DAYS,
      maxReceiverListSize: e.RECEIVER_LIST_MAX_SIZE,
      maxReceiverUpload: e.RECEIVER_UPLOAD_MAX,
      maxReceiverTemplateDataBytes: e.RECEIVER_TEMPLATE_DATA_MAX_BYTES,
      maxTemplateDataBytes: e.TEMPLATE_DATA_MAX_BYTES,
      apiRequestsPerSecond: e.API_RATE_LIMIT_PER_SECOND,
      apiReplayProtection: e.API_REPLAY_PROTECTION ?? 'dialect-default',
      idempotencyWindowSeconds: e.IDEMPOTENCY_WINDOW_SECONDS,
    },
    sendCloud: {
      maxAttachmentBytes: e.SENDCLOUD_MAX_ATTACHMENT_BYTES,
      maxApiUsers: e.SENDCLOUD_MAX_API_USERS,
      maxRecipients: e.SENDCLOUD_MAX_RECIPIENTS,
      maxStoredAttachmentBytes: e.SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES,
    },
    directMail: { maxRecipients: e.ALIYUN_MAX_RECIPIENTS, maxSubjectLength: e.ALIYUN_MAX_SUBJECT_LENGTH },
    taskRetentionDays: e.TASK_RETENTION_DAYS,
    statisticsRetentionDays: e.STATISTICS_RETENTION_DAYS,
    timeZone: e.SCHEDULE_TIMEZONE,
    logLevel: e.LOG_LEVEL,
    workerPort: e.WORKER_PORT,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    dashboard:
      e.DASHBOARD_USERNAME && e.DASHBOARD_PASSWORD
        ? { enabled: true, username: e.DASHBOARD_USERNAME, password: e.DASHBOARD_PASSWORD, allowWrites: e.DASHBOARD_ALLOW_WRITES }
        : { enabled: false, reason: 'DASHBOARD_USERNAME and DASHBOARD_PASSWORD are not set' },
    dataDir: e.DATA_DIR,
    tracking: {
      domains: e.TRACKING_DOMAINS.split(',')
        .map((d) => d.trim().toLowerCase())
        .filter(Boolean),
      retentionDays: e.TRACKING_RETENTION_DAYS,
    },
    eventLog: { enabled: e.EVENT_LOG, retentionDays: e.EVENT_LOG_RETENTION_DAYS },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryDelaysMs: commaList(e.WEBHOOK_RETRY_DELAYS_SECONDS).map((s) => Math.round(Number(s) * 1000)),
      concurrency: e.WEBHOOK_CONCURRENCY,
      deadLetterRetentionMs: e.WEBHOOK_DEAD_LETTER_RETENTION_DAYS * 86_400_000,
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      allowCidrs: commaList(e.WEBHOOK_ALLOW_CIDRS),
      denyCidrs: commaList(e.WEBHOOK_DENY_CIDRS),
      sendCloudWebhookKey: e.SENDCLOUD_WEBHOOK_KEY,
    },
  };
}
