import type { CampaignTaskSpec, Clock, Limits, TrackingIssuer } from '@postmill/core';
import type { CampaignControl, MessageProducer } from '@postmill/queue';
import type {
  BlacklistStore,
  IdentityStore,
  Keys,
  MessageStore,
  ReceiverStore,
  RedisClient,
  SenderAddressStore,
  SendRateStore,
  StatisticsStore,
  SuppressionStore,
  TaskStore,
  TemplateStore,
} from '@postmill/store';
import type { Logger } from 'pino';

/** What the engine runs on, built once by a composition root (runtime's api-process, apps). */
export interface EngineDeps {
  readonly clock: Clock;
  readonly limits: Limits;
  readonly logger: Logger;
  /** The connection the hot path reads on (one script for the whole send context). */
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly identities: IdentityStore;
  readonly addresses: SenderAddressStore;
  readonly templates: TemplateStore;
  readonly suppressions: SuppressionStore;
  readonly blacklist: BlacklistStore;
  readonly statistics: StatisticsStore;
  /** The single messages' ledger and day index (delivery status queries). */
  readonly messages: MessageStore;
  readonly receivers: ReceiverStore;
  readonly tasks: TaskStore<CampaignTaskSpec>;
  /** Creates and steers campaign tasks. */
  readonly campaigns: CampaignControl;
  /** The send rate the workers announced. */
  readonly sendRates: SendRateStore;
  /** Queues accepted single messages durably. */
  readonly producer: MessageProducer;
  /** The deployment's IANA zone (calendar days of statistics and retention). */
  readonly timeZone: string;
  /** Mints open/click tracking for new messages and tasks. Default: nothing is tracked. */
  readonly tracking?: TrackingIssuer;
}
