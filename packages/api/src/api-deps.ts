import type { CampaignTaskSpec, Clock, Limits } from '@postmill/core';
import type { Engine } from '@postmill/engine';
import type { EventLog, Keys, MessageStore, ReceiverStore, RedisClient, StatisticsStore, SuppressionStore, TaskStore } from '@postmill/store';
import type { Logger } from 'pino';
import type { DashboardDeps } from './admin/dashboard-access.ts';
import type { WebhookDeps } from './admin/webhook-deps.ts';
import type { DirectMailSettings } from './aliyun/settings.ts';
import type { OpsDeps } from './ops-routes.ts';
import type { OutboxReader } from './outbox-reader.ts';
import type { SendCloudSettings } from './sendcloud/settings.ts';
import type { TrackingRouteDeps } from './tracking-routes.ts';

/** Everything the API needs, built once by the app's composition root and passed inward. */
export interface ApiDeps {
  readonly clock: Clock;
  readonly limits: Limits;
  readonly logger: Logger;
  /** Secret key of a SecretId, or undefined when unknown. */
  readonly lookupSecret: (secretId: string) => string | undefined;
  /** Every operation a dialect calls (messages, campaigns, domains, senders, templates, lists, suppression, statistics). */
  readonly engine: Engine;
  /** Request admission (replay and rate checks) and the status read path. */
  readonly redis: RedisClient;
  readonly keys: Keys;
  /** Delivery states of single messages (GetSendEmailStatus). */
  readonly messages: MessageStore;
  /** Unsubscribes: the unsubscribe endpoint records them, GetSendEmailStatus reports them. */
  readonly suppressions: SuppressionStore;
  /** Sending statistics (the unsubscribe endpoint counts unsubscribes). */
  readonly statistics: StatisticsStore;
  /** Receiver lists (campaign rows of GetSendEmailStatus). */
  readonly receivers: ReceiverStore;
  /** Batch tasks and their run ledgers (campaign rows of GetSendEmailStatus). */
  readonly tasks: TaskStore<CampaignTaskSpec>;
  /** The outbox pages' source (implemented by the outbox transport's store). */
  readonly outbox: OutboxReader;
  /** Base URL recipients reach (unsubscribe links), without a trailing slash. */
  readonly publicUrl: string;
  /** Key that signs unsubscribe tokens. */
  readonly unsubscribeSecret: string;
  /** The recipient-level event log and its webhook fan-out (the unsubscribe endpoint writes `unsubscribed`). Default: none. */
  readonly events?: EventLog;
  /** Open/click tracking endpoints (`/t/o/…`, `/t/c/…`): their secret and counters. Default: off (every token answers 404). */
  readonly tracking?: TrackingRouteDeps;
  /** Zone of `RequestDate` in GetSendEmailStatus (IANA). Default Asia/Shanghai. */
  readonly timeZone: string;
  /** Bull Board at /admin/queues: who may open it and the queues it shows (off: answers 404). */
  readonly dashboard: DashboardDeps;
  /**
   * The SendCloud dialect's limits (SENDCLOUD_MAX_ATTACHMENT_BYTES, SENDCLOUD_MAX_API_USERS, SENDCLOUD_MAX_RECIPIENTS,
   * SENDCLOUD_MAX_STORED_ATTACHMENT_BYTES). Default: SendCloud's own (10 485 760 bytes, 10 apiUsers, 100 addresses) and 52 428 800 stored bytes.
   */
  readonly sendCloud?: Partial<SendCloudSettings>;
  /** The DirectMail dialect's limits (ALIYUN_MAX_RECIPIENTS, ALIYUN_MAX_SUBJECT_LENGTH). Default: DirectMail's own (100 addresses, 256 characters). */
  readonly directMail?: Partial<DirectMailSettings>;
  /** Sources of `/readyz` and `/metrics` (each route is served only when its source is given). Default: `/healthz` only. */
  readonly ops?: OpsDeps;
  /**
   * Webhook delivery: the target policy Tencent's callback actions check URLs against, and the
   * dead letters of /admin/webhooks. Default: the default target policy (private networks allowed,
   * loopback and metadata refused), and /admin/webhooks answers 404.
   */
  readonly webhooks?: WebhookDeps;
}
