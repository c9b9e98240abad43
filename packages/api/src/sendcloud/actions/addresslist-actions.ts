import { isEngineError } from '@postmill/core';
import type { ReceiverRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { aliasParam, claimAlias, existingList, listByAlias, MAX_ALIAS_LENGTH } from './address-list-lookup.ts';
import { managementStores } from './management-stores.ts';
import { listInfo, paging, sendCloudTime } from './management-values.ts';

const MAX_DESC_LENGTH = 250;
/** Most aliases one `addresslist/list` may name (each costs a lookup). */
const MAX_ALIASES_PER_LISTING = 100;
/** listType 0: an ordinary list (1, "advanced", needs a permission SendCloud grants by hand; Postmill has one kind). */
const LIST_TYPE_NORMAL = 0;

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const SPECIAL = /[\u0000-\u001f\u007f\u2028\u2029<>]/u;

function textParam(
  params: SendCloudParams,
  name: 'name' | 'desc',
  max: number,
  codes: { missing: SendCloudStatusCode; bad: SendCloudStatusCode },
  required: boolean,
) {
  if (required || params.present(name)) params.required(name, codes.missing);
  const value = params.optional(name);
  if (value !== undefined && (value.trim() === '' || [...value].length > max || SPECIAL.test(value))) {
    throw new SendCloudFailure(codes.bad, `${name} has 1 to ${max} characters, without control characters, '<' or '>'`);
  }
  return value;
}

/** A list's row; a list without an alias (made through Tencent) has address "" and cannot be addressed by SendCloud. */
export function listRow(deps: ApiDeps, list: ReceiverRecord): Record<string, unknown> {
  const at = sendCloudTime(list.createdAt, deps.timeZone);
  return {
    gmtCreated: at,
    gmtUpdated: at,
    address: list.alias ?? '',
    memberCount: list.count,
    description: list.desc,
    listType: LIST_TYPE_NORMAL,
    name: list.name,
  };
}

/**
 * Address lists (`addresslist/list|add|update|delete`) on the engine's receiver lists. SendCloud
 * addresses a list by its alias (`address`), which is the list's alias as DirectMail stores it
 * (ReceiversAlias), unique here (address-list-lookup.ts). List names are unique in Postmill (as
 * Tencent's and DirectMail's): a second list of the same name is refused with 40508.
 */
export const addresslistActions = moduleActions('addresslist', {
  async list(params, { deps }) {
    const aliases = params.list('address');
    if (aliases.length > MAX_ALIASES_PER_LISTING) throw new SendCloudFailure(40511, `at most ${MAX_ALIASES_PER_LISTING} addresses`);
    const { start, limit } = paging(params, deps.limits.maxPageLimit);
    if (aliases.length > 0) {
      const found: ReceiverRecord[] = [];
      for (const alias of aliases) {
        const list = await listByAlias(deps, alias);
        if (list && !found.some((l) => l.id === list.id)) found.push(list);
      }
      return {
        info: listInfo(
          found.slice(start, start + limit).map((l) => listRow(deps, l)),
          found.length,
        ),
      };
    }
    const page = await deps.engine.receivers.list({ offset: start, limit: Math.max(1, limit) });
    const items = limit === 0 ? [] : page.items;
    return {
      info: listInfo(
        items.map((l) => listRow(deps, l)),
        page.total,
      ),
    };
  },

  async add(params, { deps }) {
    const alias = aliasParam(params, 'address', { missing: 40503, tooLong: 40504 });
    const name = textParam(params, 'name', MAX_ALIAS_LENGTH, { missing: 40501, bad: 40502 }, true) ?? '';
    const desc = textParam(params, 'desc', MAX_DESC_LENGTH, { missing: 40506, bad: 40507 }, false) ?? '';
    if (await listByAlias(deps, alias)) throw new SendCloudFailure(40505, alias);
    let list: ReceiverRecord;
    try {
      list = await deps.engine.receivers.create({ name, desc, alias });
    } catch (err) {
      if (isEngineError(err, 'already-exists')) throw new SendCloudFailure(40508, `an address list named "${name}" exists: list names are unique`);
      throw err;
    }
    try {
      await claimAlias(deps, alias, list.id);
    } catch (err) {
      // Another add of the same alias won the race: this list must not stay.
      await deps.engine.receivers.delete(list.id);
      throw err;
    }
    return { info: { data: listRow(deps, list) } };
  },

  async update(params, { deps }) {
    const list = await existingList(deps, params);
    const newAlias = params.present('newAddress') ? aliasParam(params, 'newAddress', { missing: 40509, tooLong: 40510 }) : undefined;
    const name = textParam(params, 'name', MAX_ALIAS_LENGTH, { missing: 40501, bad: 40502 }, false);
    const desc = textParam(params, 'desc', MAX_DESC_LENGTH, { missing: 40506, bad: 40507 }, false);
    if (newAlias === undefined && name === undefined && desc === undefined) throw new SendCloudFailure(40509, 'give newAddress, name or desc');
    const oldAlias = list.alias ?? '';
    const realias = newAlias !== undefined && newAlias.toLowerCase() !== oldAlias.toLowerCase();
    if (realias) {
      const other = await listByAlias(deps, newAlias);
      if (other && other.id !== list.id) throw new SendCloudFailure(40505, newAlias);
      await claimAlias(deps, newAlias, list.id);
    }
    const aliases = managementStores(deps).listAliases;
    try {
      await deps.engine.receivers.update(list.id, {
        ...(name === undefined ? {} : { name }),
        ...(desc === undefined ? {} : { desc }),
        ...(newAlias === undefined ? {} : { alias: newAlias }),
      });
    } catch (err) {
      if (realias) await aliases.release(newAlias, list.id);
      if (isEngineError(err, 'already-exists')) throw new SendCloudFailure(40502, `an address list named "${name}" exists: list names are unique`);
      throw err;
    }
    if (realias) await aliases.release(oldAlias, list.id);
    return { info: { count: 1 } };
  },

  async delete(params, { deps }) {
    const list = await existingList(deps, params);
    await deps.engine.receivers.delete(list.id);
    if (list.alias !== undefined) await managementStores(deps).listAliases.release(list.alias, list.id);
    return { info: { count: 1 } };
  },
});
