import { EngineError } from '@postmill/core';
import { EventLogStore, type EventPage, type EventQuery, EventQueryError } from '@postmill/store';
import type { EngineDeps } from '../engine-deps.ts';
import type { EventListInput, EventOperations } from './event-operations.ts';

const DEFAULT_LIMIT = 100;

/** The event log's queries on the engine's connection (reads only: the retention matters to writers). */
export function eventOperations(deps: Pick<EngineDeps, 'redis' | 'keys' | 'clock'>): EventOperations {
  const store = new EventLogStore({ redis: deps.redis, prefix: deps.keys.prefix, clock: deps.clock });
  return {
    async list(input) {
      const query = queryOf(input);
      if (input.fromMs !== undefined && input.toMs !== undefined && input.toMs < input.fromMs) {
        throw new EngineError('invalid-input', (f) => `${f('to')} is before ${f('from')}.`, { context: { field: 'to', rule: 'order' } });
      }
      try {
        const page: EventPage = await store.page({
          query,
          limit: input.limit ?? DEFAULT_LIMIT,
          ...(input.fromMs === undefined ? {} : { fromMs: input.fromMs }),
          ...(input.toMs === undefined ? {} : { toMs: input.toMs }),
          ...(input.cursor === undefined ? {} : { cursor: input.cursor }),
        });
        return page.next === undefined ? { events: page.events } : { events: page.events, next: page.next };
      } catch (error) {
        if (error instanceof EventQueryError) throw new EngineError('invalid-input', () => error.message, { context: { field: 'query' }, cause: error });
        throw error;
      }
    },
  };
}

function queryOf(input: EventListInput): EventQuery {
  const filters = [input.messageId, input.recipient, input.taskId].filter((v) => v !== undefined);
  if (filters.length > 1) {
    throw new EngineError('invalid-input', () => 'give one of messageId, recipient, taskId.', { context: { field: 'messageId', rule: 'one-filter' } });
  }
  if (input.messageId !== undefined) return { by: 'message', messageId: input.messageId };
  if (input.recipient !== undefined) return { by: 'recipient', recipient: input.recipient };
  if (input.taskId !== undefined) return { by: 'task', taskId: input.taskId };
  if (input.fromMs === undefined || input.toMs === undefined) {
    throw new EngineError('invalid-input', (f) => `without a filter, ${f('from')} and ${f('to')} are both required.`, {
      context: { field: 'from', rule: 'time-range' },
    });
  }
  return { by: 'time' };
}
