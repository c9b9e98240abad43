import type { CampaignTaskSpec, Clock, MailTransport, RetryPolicyOptions } from '@postmill/core';
import type { BlacklistStore, DomainHoldStore, ReceiverStore, RunDayIndex, StatisticsStore, SuppressionStore, TaskStore } from '@postmill/store';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DeliveryObserver } from '../delivery-observer.ts';
import type { CampaignPayload, DeliveryPayload } from '../job-catalog.ts';
import type { SharedRateLimiter } from '../shared-rate-limiter.ts';
import type { TaskCache } from './task-cache.ts';

/** Everything the campaign processors use; built once per worker process. */
export interface CampaignDeps {
  readonly clock: Clock;
  readonly transport: MailTransport;
  readonly limiter: SharedRateLimiter;
  readonly deliveryQueue: Queue<DeliveryPayload>;
  readonly campaignQueue: Queue<CampaignPayload>;
  readonly tasks: TaskStore<CampaignTaskSpec>;
  /** Runs by the calendar day they started (GetSendEmailStatus by RequestDate). */
  readonly runDays: RunDayIndex;
  readonly taskCache: TaskCache;
  readonly receivers: ReceiverStore;
  readonly suppressions: SuppressionStore;
  readonly blacklist: BlacklistStore;
  readonly holds: DomainHoldStore;
  readonly statistics: StatisticsStore;
  readonly policy: RetryPolicyOptions;
  /** Most recipients in one chunk job. Default 50. */
  readonly chunkSize: number;
  /** Recipients of one chunk sent at once. Default 4. */
  readonly chunkConcurrency: number;
  /** Chunk jobs waiting in the delivery queue above which the dispatcher waits. Default 2 000. */
  readonly dispatchHighWater: number;
  /** Zone of schedules, BeginTime and status days. Default Asia/Shanghai. */
  readonly timeZone: string;
  /** Days a run stays findable by day in GetSendEmailStatus. Default 30. */
  readonly statusRetentionDays: number;
  readonly publicUrl: string;
  readonly unsubscribeSecret: string;
  readonly logger: Logger;
  /** Told about every outcome, provider request, limiter wait and run start (metrics). Default: a no-op. */
  readonly observer?: DeliveryObserver;
}
