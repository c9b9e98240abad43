import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';

const API_USER = /^[A-Za-z0-9_.@-]{1,64}$/u;

function listParam(params: SendCloudParams, name: string, empty: 40009 | 40010 | 40013): string[] | undefined {
  if (!params.present(name)) return undefined;
  const items = params.list(name);
  if (items.length === 0) throw new SendCloudFailure(empty);
  return items;
}

/** `apiUserList` (`;`): 40010 empty, 40016 an item that is not an API_USER name. */
export function apiUserListOf(params: SendCloudParams): string[] | undefined {
  const users = listParam(params, 'apiUserList', 40010);
  if (users?.some((u) => !API_USER.test(u))) throw new SendCloudFailure(40016);
  return users;
}

/** `labelIdList` (`;`): 40009 empty, 40015 an item that is not a label id. */
export function labelIdListOf(params: SendCloudParams): number[] | undefined {
  const ids = listParam(params, 'labelIdList', 40009);
  if (ids?.some((id) => !/^[1-9]\d{0,15}$/u.test(id))) throw new SendCloudFailure(40015);
  return ids?.map(Number);
}

/** `domainList` (`;`, sender domains): 40013 empty. */
export function domainListOf(params: SendCloudParams): string[] | undefined {
  return listParam(params, 'domainList', 40013)?.map((d) => d.toLowerCase());
}

/** `aggregate` 0/1 (40017 otherwise). */
export function aggregateOf(params: SendCloudParams): boolean {
  if (params.present('aggregate')) params.required('aggregate', 40017);
  return params.optionalInt('aggregate', 40017, { min: 0, max: 1 }) === 1;
}

/**
 * Whether the caller's data passes `apiUserList`. Postmill keeps suppression and statistics per
 * deployment, not per API_USER: every row is the requesting API_USER's, so a list without it
 * selects nothing.
 */
export function includesCaller(apiUsers: readonly string[] | undefined, apiUser: string): boolean {
  return apiUsers === undefined || apiUsers.includes(apiUser);
}
