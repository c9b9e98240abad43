import type { CampaignTaskSpec, Clock, MailTransport, RetryPolicyOptions } from '@postmill/core';
import type { BlacklistStore, DomainHoldStore, EventLog, ReceiverStore, RunDayIndex, StatisticsStore, SuppressionStore, TaskStore } from '@postmill/store';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DeliveryObserver } from '../delivery-observer.ts';
import type { CampaignPayload, DeliveryPayload } from '../job-catalog.ts';
import type { SharedRateLimiter } from '../shared-rate-limiter.ts';
import type { TaskSpecCache } from './task-spec-cache.ts';

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
  /** Task specs (immutable) for the hot path; statuses are never cached. */
  readonly specs: TaskSpecCache;
  readonly receivers: ReceiverStore;
  readonly suppressions: SuppressionStore;
  readonly blacklist: BlacklistStore;
  readonly holds: DomainHoldStore;
  readonly statistics: StatisticsStore;
  readonly policy: RetryPolicyOptions;
  /**
   * How long a send's claim on a recipient lasts: longer than any send can take (the provider
   * timeout) plus a margin for the slot lead and the record. A worker killed mid-send leaves claims
   * that lapse after it; the recipients are then claimed and sent again (the bound on repeats).
   * Default: PROVIDER_TIMEOUT_MS + 2 000 (claimLeaseFor).
   */
  readonly claimLeaseMs: number;
  /** Most recipients in one provider request (SEND_CHUNK_SIZE). Default 50. */
  readonly chunkSize: number;
  /**
   * Recipients of a run one chunk job covers (CAMPAIGN_JOB_RECIPIENTS): the run's range size, fixed
   * at its start, independent of the provider request size. Default: `chunkSize` (the config's
   * default is 500).
   */
  readonly jobRecipients?: number;
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
  /** Where recipient-level events are written and pushed (request and each outcome). Default: none. */
  readonly events?: EventLog;
}

/** Margin of a claim over the provider timeout: the slot lead, the answer's decision and its record. */
const CLAIM_LEASE_MARGIN_MS = 2000;

/** The claim lease for a transport whose requests time out after `providerTimeoutMs` (0 for local transports). */
export function claimLeaseFor(providerTimeoutMs: number): number {
  return providerTimeoutMs + CLAIM_LEASE_MARGIN_MS;
}
