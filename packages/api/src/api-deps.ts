import type { CampaignTaskSpec, Clock, Limits } from '@postmill/core';
import type { CampaignControl, MessageProducer } from '@postmill/queue';
import type { IdentityStore, Keys, MessageStore, RedisClient, SenderAddressStore, SuppressionStore, TemplateStore } from '@postmill/store';
import type { BlacklistStore, SendRateStore, StatisticsStore } from '@postmill/store';
import type { ReceiverStore, TaskStore } from '@postmill/store';
import type { OutboxStore } from '@postmill/transports';
import type { Logger } from 'pino';
import type { OpsDeps } from './ops-routes.ts';
import type { DashboardDeps } from './admin/dashboard-access.ts';

/** Everything the API needs, built once by the app's composition root and passed inward. */
export interface ApiDeps {
  readonly clock: Clock;
  readonly limits: Limits;
  readonly logger: Logger;
  /** Secret key of a SecretId, or undefined when unknown. */
  readonly lookupSecret: (secretId: string) => string | undefined;
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly identities: IdentityStore;
  readonly addresses: SenderAddressStore;
  readonly templates: TemplateStore;
  readonly messages: MessageStore;
  readonly suppressions: SuppressionStore;
  /** Custom blacklist (CreateCustomBlacklist & co.). */
  readonly blacklist: BlacklistStore;
  /** Sending statistics (GetStatisticsReport). */
  readonly statistics: StatisticsStore;
  /** Receiver lists (CreateReceiver & co.). */
  readonly receivers: ReceiverStore;
  /** Batch tasks and their run ledgers (ListSendTasks, campaign statuses). */
  readonly tasks: TaskStore<CampaignTaskSpec>;
  /** Creates and steers batch tasks (BatchSendEmail, Pause/Resume/Cancel/RetrySendTask*). */
  readonly campaigns: CampaignControl;
  /** The send rate the workers announced (GetSendTask's SendRate). */
  readonly sendRates: SendRateStore;
  readonly outbox: OutboxStore;
  readonly producer: MessageProducer;
  /** Base URL recipients reach (unsubscribe links), without a trailing slash. */
  readonly publicUrl: string;
  /** Key that signs unsubscribe tokens. */
  readonly unsubscribeSecret: string;
  /** Zone of `RequestDate` in GetSendEmailStatus (IANA). Default Asia/Shanghai. */
  readonly timeZone: string;
  /** Bull Board at /admin/queues: who may open it and the queues it shows (off: answers 404). */
  readonly dashboard: DashboardDeps;
  /** Sources of `/readyz` and `/metrics` (each route is served only when its source is given). Default: `/healthz` only. */
  readonly ops?: OpsDeps;
}
