import { calendarDate, EngineError, isCalendarDate, isValidDomain } from '@postmill/core';
import type { EngineDeps } from './engine-deps.ts';
import type { StatisticsOperations } from './statistics-operations.ts';

const DAY_MS = 86_400_000;

// "" means no filter; anything else must be a domain (a typo would otherwise silently report zeros).
function domainFilter(value: string | undefined, field: 'senderDomain' | 'recipientDomain'): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const domain = value.trim().toLowerCase();
  if (!isValidDomain(domain))
    throw new EngineError('invalid-input', (f) => `${f(field)} must be a domain such as gmail.com, got "${value}".`, { context: { field } });
  return domain;
}

/**
 * Sending statistics. Guarantees on dates (YYYY-MM-DD, deployment zone): a malformed one is
 * `invalid-date` (`format`); an end before the start (`order`), a start older than the statistics
 * retention (today minus `retentionDays`: those counters are gone, so zeros would be a lie;
 * `retention`), or a range longer than retentionDays + 1 days (`range`) too. Days after today are
 * allowed within that span and read as zero.
 */
export function statisticsOperations(deps: EngineDeps): StatisticsOperations {
  return {
    async report(input) {
      if (!isCalendarDate(input.startDate)) {
        throw new EngineError('invalid-date', (f) => `${f('startDate')} must be a date as YYYY-MM-DD.`, { context: { field: 'startDate', problem: 'format' } });
      }
      if (!isCalendarDate(input.endDate)) {
        throw new EngineError('invalid-date', (f) => `${f('endDate')} must be a date as YYYY-MM-DD.`, { context: { field: 'endDate', problem: 'format' } });
      }
      const { startDate: start, endDate: end } = input;
      if (end < start) {
        throw new EngineError('invalid-date', (f) => `${f('endDate')} ${end} is before ${f('startDate')} ${start}.`, {
          context: { field: 'endDate', problem: 'order' },
        });
      }
      const retentionDays = deps.statistics.retentionDays;
      const oldest = calendarDate(deps.clock.now() - retentionDays * DAY_MS, deps.timeZone);
      if (start < oldest) {
        throw new EngineError('invalid-date', (f) => `Statistics are kept ${retentionDays} days: ${f('startDate')} may not be before ${oldest}.`, {
          context: { field: 'startDate', problem: 'retention' },
        });
      }
      const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS + 1;
      if (days > retentionDays + 1) {
        throw new EngineError('invalid-date', `A report covers at most ${retentionDays + 1} days, got ${days}.`, {
          context: { field: 'endDate', problem: 'range' },
        });
      }
      const domain = domainFilter(input.senderDomain, 'senderDomain');
      const receivingMailboxType = domainFilter(input.recipientDomain, 'recipientDomain');
      if (input.tag !== undefined && receivingMailboxType) {
        throw new EngineError(
          'invalid-input',
          (f) => `Tagged statistics are not kept by recipient domain: give ${f('tag')} or ${f('recipientDomain')}, not both.`,
          {
            context: { field: 'tag' },
          },
        );
      }
      return deps.statistics.report({
        startDate: start,
        endDate: end,
        ...(domain ? { domain } : {}),
        ...(receivingMailboxType ? { receivingMailboxType } : {}),
        ...(input.tag !== undefined ? { tag: input.tag } : {}),
      });
    },
  };
}
