import { isValidEmail } from '@postmill/core';
import type { ReceiverRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { managementStores } from './management-stores.ts';

/** SendCloud's longest address-list alias, name (characters). */
export const MAX_ALIAS_LENGTH = 48;

/**
 * An address-list alias parameter (`address`, `newAddress`): `missing` when absent, `tooLong`
 * past 48 characters, 40511 when it is not address-shaped (`news@maillist.sendcloud.org`).
 */
export function aliasParam(params: SendCloudParams, name: string, codes: { missing: SendCloudStatusCode; tooLong: SendCloudStatusCode }): string {
  const alias = params.required(name, codes.missing).trim();
  if ([...alias].length > MAX_ALIAS_LENGTH) throw new SendCloudFailure(codes.tooLong);
  if (!isValidEmail(alias)) throw new SendCloudFailure(40511, `${name} must be an address like news@maillist.sendcloud.org`);
  return alias;
}

function sameAlias(list: ReceiverRecord | undefined, alias: string): list is ReceiverRecord {
  return list?.alias !== undefined && list.alias.toLowerCase() === alias.toLowerCase();
}

/**
 * The list whose alias is `alias` (case-insensitive), or undefined. Cost: one index read and one
 * list read for a list made or renamed through SendCloud (the alias index); a list whose alias
 * was set elsewhere (DirectMail's ReceiversAlias) is looked for page by page in creation order
 * (oldest wins, one page in memory) and then indexed, so the next lookup is direct.
 */
export async function listByAlias(deps: ApiDeps, alias: string): Promise<ReceiverRecord | undefined> {
  const aliases = managementStores(deps).listAliases;
  const holder = await aliases.holder(alias);
  if (holder !== undefined) {
    const list = await deps.receivers.get(holder);
    if (sameAlias(list, alias)) return list;
  }
  const limit = Math.max(1, deps.limits.maxPageLimit);
  for (let offset = 0; ; offset += limit) {
    const page = await deps.engine.receivers.list({ offset, limit });
    const found = page.items.find((l) => sameAlias(l, alias));
    if (found) {
      await aliases.take(alias, found.id, holder);
      return found;
    }
    if (page.items.length < limit) return undefined;
  }
}

/** The list addressed by `address`, or 40517 (地址列表不属于此用户: no list of this user has that address). */
export async function existingList(deps: ApiDeps, params: SendCloudParams): Promise<ReceiverRecord> {
  const alias = aliasParam(params, 'address', { missing: 40503, tooLong: 40504 });
  const list = await listByAlias(deps, alias);
  if (!list) throw new SendCloudFailure(40517, `no address list has the address ${alias}`);
  return list;
}

/**
 * Makes `alias` the list's in the index, or answers 40505 (别名已经存在) when another live list
 * holds it. Of concurrent claims of one alias exactly one wins (compare-and-set); a stale entry
 * (its list gone or re-aliased) is taken over.
 */
export async function claimAlias(deps: ApiDeps, alias: string, listId: number): Promise<void> {
  const aliases = managementStores(deps).listAliases;
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = await aliases.holder(alias);
    if (holder !== undefined && holder !== listId) {
      const other = await deps.receivers.get(holder);
      if (sameAlias(other, alias)) throw new SendCloudFailure(40505, alias);
    }
    if (await aliases.take(alias, listId, holder)) return;
  }
  throw new SendCloudFailure(40505, alias);
}
