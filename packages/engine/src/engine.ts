import type { CampaignOperations } from './campaign-operations.ts';
import type { DeliveryOperations } from './delivery-operations.ts';
import type { DomainOperations } from './domain-operations.ts';
import type { EventOperations } from './events/event-operations.ts';
import type { MessageOperations } from './message-operations.ts';
import type { ReceiverListOperations } from './receiver-list-operations.ts';
import type { SenderOperations } from './sender-operations.ts';
import type { StatisticsOperations } from './statistics-operations.ts';
import type { SuppressionOperations } from './suppression-operations.ts';
import type { TemplateOperations } from './template-operations.ts';

/**
 * Everything a wire dialect may ask of Postmill, grouped by area, in Postmill's own vocabulary.
 * Guarantees: every refusal is an EngineError (core) of a kind from ERROR_KINDS with its context,
 * never a vendor's code; other failures (storage, corrupt records) are internal errors, except
 * Redis being unreachable, which is `storage-unavailable`. A dialect parses its wire format, calls
 * one operation and renders the answer and the error through its own table.
 */
export interface Engine {
  readonly messages: MessageOperations;
  readonly campaigns: CampaignOperations;
  readonly domains: DomainOperations;
  readonly senders: SenderOperations;
  readonly templates: TemplateOperations;
  readonly receivers: ReceiverListOperations;
  readonly suppressions: SuppressionOperations;
  readonly statistics: StatisticsOperations;
  readonly deliveries: DeliveryOperations;
  /** The recipient-level event log. */
  readonly events: EventOperations;
}
