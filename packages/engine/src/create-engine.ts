import { campaignOperations } from './campaigns/campaign-operations.ts';
import { deliveryOperations } from './deliveries/deliveries.ts';
import { domainOperations } from './domains.ts';
import type { Engine } from './engine.ts';
import type { EngineDeps } from './engine-deps.ts';
import { eventOperations } from './events/events.ts';
import { messageOperations } from './messages/accept-message.ts';
import { receiverListOperations } from './receiver-lists.ts';
import { senderOperations } from './senders.ts';
import { statisticsOperations } from './statistics.ts';
import { suppressionOperations } from './suppressions.ts';
import { templateOperations } from './templates.ts';

/** Builds the engine on its stores and queues. Creates nothing that runs: no timer, no connection. */
export function createEngine(deps: EngineDeps): Engine {
  return {
    messages: messageOperations(deps),
    campaigns: campaignOperations(deps),
    domains: domainOperations(deps),
    senders: senderOperations(deps),
    templates: templateOperations(deps),
    receivers: receiverListOperations(deps),
    suppressions: suppressionOperations(deps),
    statistics: statisticsOperations(deps),
    deliveries: deliveryOperations(deps),
    events: eventOperations(deps),
  };
}
