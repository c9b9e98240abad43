import { isEngineError, isValidEmail } from '@postmill/core';
import type { ReceiverDetailRow, ReceiverRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { existingList } from './address-list-lookup.ts';
import { isPresent, listInfo, paging, sendCloudTime } from './management-values.ts';
import { parseMemberVars } from './member-vars.ts';

/** Most members one addressmember call may name (SendCloud's limit, 40515). */
const MAX_MEMBERS_PER_CALL = 1000;
/** The template variable a member's `name` fills (`%name%`); a `vars` key `name` is overridden by it, as in SendCloud. */
const NAME_VARIABLE = 'name';

function membersOf(params: SendCloudParams): string[] {
  const members = params.list('members');
  if (members.length === 0) throw new SendCloudFailure(40512);
  if (members.length > MAX_MEMBERS_PER_CALL) throw new SendCloudFailure(40515);
  const bad = members.find((m) => !isValidEmail(m));
  if (bad !== undefined) throw new SendCloudFailure(40518, bad.slice(0, 60));
  return members;
}

/** A member as SendCloud shows it: its `name` variable apart, the other variables as a JSON string ("" when none). */
function memberRow(deps: ApiDeps, list: ReceiverRecord, row: ReceiverDetailRow): Record<string, unknown> {
  const data = row.templateData === undefined ? {} : (JSON.parse(row.templateData) as Record<string, string>);
  const { [NAME_VARIABLE]: name, ...vars } = data;
  const at = sendCloudTime(row.createdAt, deps.timeZone);
  return {
    gmtCreated: at,
    gmtUpdated: at,
    address: list.alias ?? '',
    member: row.email,
    name: name ?? '',
    vars: Object.keys(vars).length === 0 ? '' : JSON.stringify(vars),
  };
}

/**
 * Refusal of member removal and replacement: lists are append-only with fixed positions (a
 * running campaign's checkpoint is a position) until the receiver store can remove entries.
 */
function removalUnsupported(what: string): SendCloudFailure {
  return new SendCloudFailure(40519, `${what} is not supported yet: Postmill cannot remove a member from a list (delete the list and add it again)`);
}

/**
 * Members of address lists (`addressmember/list|get|add|update|delete`) on the entries of the
 * engine's receiver lists. A member's `vars` (keys without `%`) and `name` are the entry's
 * template data, filled into `%key%` / `{{key}}` / DirectMail's `{key}` by every dialect's send.
 * All members of a list carry the same variable names (the engine's rule, fixed by the first).
 */
export const addressmemberActions = moduleActions('addressmember', {
  async list(params, { deps }) {
    const list = await existingList(deps, params);
    const { start, limit } = paging(params, deps.limits.maxPageLimit);
    const page = await deps.engine.receivers.details(list.id, { offset: start, limit: Math.max(1, limit), status: 1 });
    const rows = limit === 0 ? [] : page.items;
    return {
      info: listInfo(
        rows.map((r) => memberRow(deps, list, r)),
        page.total,
      ),
    };
  },

  async get(params, { deps }) {
    const list = await existingList(deps, params);
    const members = membersOf(params);
    const rows: Record<string, unknown>[] = [];
    // One exact lookup per member (a complete address is matched by its fingerprint, not scanned).
    for (const member of members) {
      const page = await deps.engine.receivers.details(list.id, { offset: 0, limit: 1, status: 1, email: member });
      const row = page.items[0];
      if (row && row.email.toLowerCase() === member.toLowerCase()) rows.push(memberRow(deps, list, row));
    }
    return { info: listInfo(rows) };
  },

  async add(params, { deps }) {
    const list = await existingList(deps, params);
    const members = membersOf(params);
    const names = params.list('names');
    if (isPresent(params, 'vars')) params.required('vars', 40520);
    const rawVars = params.optional('vars');
    const vars = rawVars === undefined ? undefined : parseMemberVars(rawVars, members.length);
    const entries = members.map((email, i) => {
      const data: Record<string, string> = { ...(vars?.[i] ?? {}) };
      const name = names[i];
      if (name !== undefined) data[NAME_VARIABLE] = name;
      return Object.keys(data).length === 0 ? { email } : { email, templateData: JSON.stringify(data) };
    });
    try {
      const result = await deps.engine.receivers.append(list.id, entries);
      return { info: { count: result.valid } };
    } catch (err) {
      if (isEngineError(err, 'receiver-entries-refused') || isEngineError(err, 'limit-exceeded')) throw new SendCloudFailure(40516, err.message);
      throw err;
    }
  },

  async update(params, { deps }) {
    await existingList(deps, params);
    membersOf(params);
    throw removalUnsupported('Changing a member');
  },

  async delete(params, { deps }) {
    await existingList(deps, params);
    membersOf(params);
    throw removalUnsupported('Deleting a member');
  },
});
