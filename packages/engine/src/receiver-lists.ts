import { EngineError, isValidEmail, nextCalendarDate, parseTencentDateTime } from '@postmill/core';
import type { EngineDeps } from './engine-deps.ts';
import { checkPageLimit } from './page-limit.ts';
import type { ReceiverDetailsInput, ReceiverListOperations } from './receiver-list-operations.ts';

/** Longest list name in characters (code points). */
export const MAX_RECEIVER_NAME_LENGTH = 100;
/** Longest list description in characters. */
export const MAX_RECEIVER_DESC_LENGTH = 300;

// "Special characters" Postmill refuses in names and descriptions: control characters (line
// breaks, tabs...) and angle brackets (markup), which would break consoles, CSV exports and HTML views.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const SPECIAL = /[\u0000-\u001f\u007f\u2028\u2029<>]/u;

const DATE_OR_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/u;

function notFound(receiverId: number): EngineError {
  return new EngineError('receiver-list-not-found', `The receiver list ${receiverId} does not exist.`, { context: { receiverId } });
}

/**
 * Reads a creation-time bound: `YYYY-MM-DD` (a whole day) or `YYYY-MM-DD hh:mm:ss` (one second),
 * in the deployment's zone. Returns the inclusive epoch-ms bound: the first ms for a begin, the
 * last ms for an end. Anything else → `invalid-date` (`format`).
 */
function timeBound(value: string | undefined, edge: 'begin' | 'end', timeZone: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = DATE_OR_DATE_TIME.exec(value);
  const dayOnly = m !== null && m[4] === undefined;
  const at = m ? parseTencentDateTime(dayOnly ? `${value} 00:00:00` : value, timeZone) : undefined;
  if (at === undefined) {
    const field = edge === 'begin' ? 'createTimeBegin' : 'createTimeEnd';
    throw new EngineError('invalid-date', `\`${value}\` is not a time as YYYY-MM-DD or YYYY-MM-DD hh:mm:ss.`, { context: { field, problem: 'format' } });
  }
  if (edge === 'begin') return at;
  if (!dayOnly) return at + 999;
  // The last millisecond of that calendar day in the zone (days are not always 24 h long). The
  // day after 9999-12-31 cannot be written: that day then ends 24 h after it began.
  const following = nextCalendarDate(value);
  const next = following === undefined ? undefined : parseTencentDateTime(`${following} 00:00:00`, timeZone);
  return (next ?? at + 86_400_000) - 1;
}

function checkListName(name: string): void {
  if (name.trim() === '' || [...name].length > MAX_RECEIVER_NAME_LENGTH || SPECIAL.test(name)) {
    throw new EngineError(
      'invalid-input',
      (f) => `${f('receiverList.name')} must have 1 to ${MAX_RECEIVER_NAME_LENGTH} characters, not all blank, without control characters, '<' or '>'.`,
      { context: { field: 'receiverList.name' } },
    );
  }
}

function checkListDesc(desc: string): void {
  if ([...desc].length > MAX_RECEIVER_DESC_LENGTH || SPECIAL.test(desc)) {
    throw new EngineError(
      'invalid-input',
      (f) => `${f('receiverList.desc')} has at most ${MAX_RECEIVER_DESC_LENGTH} characters, without control characters, '<' or '>'.`,
      { context: { field: 'receiverList.desc' } },
    );
  }
}

/**
 * Receiver lists. Guarantees: a name has 1 to MAX_RECEIVER_NAME_LENGTH characters, not all blank,
 * and neither it nor the description holds control characters, '<' or '>' (`invalid-input`);
 * uploads are synchronous (when `append` answers, every valid new address is in the list) and
 * bounded by the configured batch and list sizes.
 */
export function receiverListOperations(deps: EngineDeps): ReceiverListOperations {
  return {
    async create(input) {
      const { name } = input;
      checkListName(name);
      const desc = input.desc ?? '';
      checkListDesc(desc);
      return deps.receivers.create({ name, desc, ...(input.alias === undefined ? {} : { alias: input.alias }) });
    },

    async update(receiverId, change) {
      if (change.name !== undefined) checkListName(change.name);
      if (change.desc !== undefined) checkListDesc(change.desc);
      return deps.receivers.update(receiverId, change);
    },

    async append(receiverId, entries) {
      if (entries.length === 0) throw new EngineError('missing-parameter', 'Give at least one recipient address.', { context: { field: 'emails' } });
      const max = deps.limits.maxReceiverUpload;
      if (entries.length > max) {
        throw new EngineError('limit-exceeded', `At most ${max} addresses per request; got ${entries.length}.`, {
          context: { limit: 'batch-size', max, count: entries.length },
        });
      }
      return deps.receivers.append(receiverId, entries, {
        maxListSize: deps.limits.maxReceiverListSize,
        maxTemplateDataBytes: deps.limits.maxReceiverTemplateDataBytes,
      });
    },

    async replaceEntries(receiverId, changes) {
      if (changes.length === 0) throw new EngineError('missing-parameter', 'Give at least one member to replace.', { context: { field: 'emails' } });
      const max = deps.limits.maxReceiverUpload;
      if (changes.length > max) {
        throw new EngineError('limit-exceeded', `At most ${max} addresses per request; got ${changes.length}.`, {
          context: { limit: 'batch-size', max, count: changes.length },
        });
      }
      return deps.receivers.replace(receiverId, changes, { maxTemplateDataBytes: deps.limits.maxReceiverTemplateDataBytes });
    },

    async list(query) {
      checkPageLimit(query.limit, deps.limits.maxPageLimit);
      return deps.receivers.list(query);
    },

    async details(receiverId, query: ReceiverDetailsInput) {
      checkPageLimit(query.limit, deps.limits.maxPageLimit);
      if (query.fromIndex !== undefined && !(Number.isSafeInteger(query.fromIndex) && query.fromIndex >= 0)) {
        throw new EngineError('invalid-input', (f) => `${f('fromIndex')} is a position in the list: a whole number from 0.`, {
          context: { field: 'fromIndex' },
        });
      }
      const begin = timeBound(query.createdFrom, 'begin', deps.timeZone);
      const end = timeBound(query.createdUntil, 'end', deps.timeZone);
      const page = await deps.receivers.details(receiverId, {
        offset: query.offset,
        limit: query.limit,
        ...(query.email === undefined ? {} : { email: query.email }),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(begin === undefined ? {} : { createTimeBegin: begin }),
        ...(end === undefined ? {} : { createTimeEnd: end }),
        ...(query.fromIndex === undefined ? {} : { fromIndex: query.fromIndex }),
      });
      if (!page) throw notFound(receiverId);
      return page;
    },

    async delete(receiverId) {
      if (!(await deps.receivers.delete(receiverId))) throw notFound(receiverId);
    },

    async removeEntry(receiverId, input) {
      const email = input.email.trim();
      if (email === '') throw new EngineError('missing-parameter', 'Give the address to remove.', { context: { field: 'email' } });
      // Looked up before it is judged, so an entry stored under older address rules can still go.
      if ((await deps.receivers.remove(receiverId, email)) !== undefined) return;
      if (!isValidEmail(email)) {
        throw new EngineError('invalid-address', (f) => `${f('email')} \`${email}\` is not a valid email address.`, {
          context: { field: 'email', value: email },
        });
      }
      throw new EngineError('receiver-entry-not-found', `The receiver list ${receiverId} has no member ${email}.`, { context: { receiverId, email } });
    },
  };
}
