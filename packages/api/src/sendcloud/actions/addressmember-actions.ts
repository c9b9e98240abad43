import { isEngineError, isValidEmail, MAX_RECEIVER_EMAIL_LENGTH } from '@postmill/core';
import type { ReceiverDetailRow, ReceiverRecord, ReplacementOutcome } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { existingList } from './address-list-lookup.ts';
import { listInfo, paging, sendCloudTime } from './management-values.ts';
import { parseMemberVars } from './member-vars.ts';

/** Most members one addressmember call may name (SendCloud's limit, 40515). */
const MAX_MEMBERS_PER_CALL = 1000;
/** The template variable a member's `name` fills (`%name%`); a `vars` key `name` is overridden by it, as in SendCloud. */
const NAME_VARIABLE = 'name';

/**
 * Member addresses: 40513 (成员地址的长度) for one longer than the engine's address limit
 * (MAX_RECEIVER_EMAIL_LENGTH, RFC 5321's 254; not SendCloud's 48, see docs/sendcloud-codes.md),
 * else 40518 for one that is not an address.
 */
function checkMemberAddresses(members: readonly string[]): void {
  const long = members.find((m) => m.length > MAX_RECEIVER_EMAIL_LENGTH);
  if (long !== undefined) throw new SendCloudFailure(40513, `${long.slice(0, 60)}… has ${long.length} characters, at most ${MAX_RECEIVER_EMAIL_LENGTH}`);
  const bad = members.find((m) => !isValidEmail(m));
  if (bad !== undefined) throw new SendCloudFailure(40518, bad.slice(0, 60));
}

/** `members`: 40512 absent or empty, 40514 when it holds only separators (no address), 40515 over 1000, 40513 / 40518 (checkMemberAddresses). */
function membersOf(params: SendCloudParams): string[] {
  params.required('members', 40512);
  const members = params.list('members');
  if (members.length === 0) throw new SendCloudFailure(40514, 'members holds no address');
  if (members.length > MAX_MEMBERS_PER_CALL) throw new SendCloudFailure(40515);
  checkMemberAddresses(members);
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

/** Removes one member; false when it is not in the list (the engine's `receiver-entry-not-found`). */
async function removeMember(deps: ApiDeps, listId: number, email: string): Promise<boolean> {
  try {
    await deps.engine.receivers.removeEntry(listId, { email });
    return true;
  } catch (err) {
    if (isEngineError(err) && err.kind === 'receiver-entry-not-found') return false;
    throw err;
  }
}

/** Template data of member i from `names` and parsed `vars` (undefined when it has none). */
function entryOf(email: string, name: string | undefined, vars: Record<string, string> | undefined): { email: string; templateData?: string } {
  const data: Record<string, string> = { ...(vars ?? {}) };
  if (name !== undefined) data[NAME_VARIABLE] = name;
  return Object.keys(data).length === 0 ? { email } : { email, templateData: JSON.stringify(data) };
}

function varsOf(params: SendCloudParams, memberCount: number): Record<string, string>[] | undefined {
  if (params.present('vars')) params.required('vars', 40520);
  const raw = params.optional('vars');
  return raw === undefined ? undefined : parseMemberVars(raw, memberCount);
}

async function append(deps: ApiDeps, listId: number, entries: { email: string; templateData?: string }[]): Promise<number> {
  try {
    return (await deps.engine.receivers.append(listId, entries)).valid;
  } catch (err) {
    if (isEngineError(err, 'receiver-entries-refused') || isEngineError(err, 'limit-exceeded')) throw new SendCloudFailure(40516, err.message);
    throw err;
  }
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
    const vars = varsOf(params, members.length);
    return {
      info: {
        count: await append(
          deps,
          list.id,
          members.map((email, i) => entryOf(email, names[i], vars?.[i])),
        ),
      },
    };
  },

  /**
   * Replaces members (by `newMembers`, aligned with `members`; the same address when absent) with
   * new names and vars, in place and in one atomic step: a member keeps its position, and a refused
   * call (a new address or vars the list cannot take: 40516 and the vars codes) changes nothing.
   * `count` is the members changed; one not in the list, or whose new address is already another
   * member, is skipped and left as it was.
   */
  async update(params, { deps }) {
    const list = await existingList(deps, params);
    const members = membersOf(params);
    const newMembers = params.list('newMembers');
    if (newMembers.length > 0 && newMembers.length !== members.length) throw new SendCloudFailure(40518, 'newMembers must have one address per member');
    checkMemberAddresses(newMembers);
    const names = params.list('names');
    const vars = varsOf(params, members.length);
    const changes = members.map((email, i) => ({ email, entry: entryOf(newMembers[i] ?? email, names[i], vars?.[i]) }));
    let outcomes: readonly ReplacementOutcome[];
    try {
      outcomes = await deps.engine.receivers.replaceEntries(list.id, changes);
    } catch (err) {
      if (isEngineError(err, 'receiver-entries-refused')) throw new SendCloudFailure(40516, err.message);
      throw err;
    }
    return { info: { count: outcomes.filter((o) => 'index' in o).length } };
  },

  /** Removes members; `count` is the members removed (one not in the list is skipped). */
  async delete(params, { deps }) {
    const list = await existingList(deps, params);
    const members = membersOf(params);
    let removed = 0;
    for (const member of members) if (await removeMember(deps, list.id, member)) removed++;
    return { info: { count: removed } };
  },
});
