import { randomBytes } from 'node:crypto';
import { type ApiUserRecord, ApiUserStore } from '@postmill/store';
import { moduleActions, type SendCloudAction, type SendCloudActionContext } from '../action.ts';
import { API_USER_NAME } from '../authenticate.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { resolveSendCloudSettings } from '../settings.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';

// A host name: labels of letters, digits and hyphens (not at either end), a dot between labels.
const DOMAIN_NAME = /^(?=.{1,250}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/u;

/**
 * A `0`/`1` flag: `empty` when sent with an empty value (SendCloud's "不能为空串"), `invalid` for
 * anything but 0 or 1, `fallback` when absent.
 */
function flag(params: SendCloudParams, name: string, codes: { empty: SendCloudStatusCode; invalid: SendCloudStatusCode }, fallback: boolean): boolean {
  if (!params.present(name)) return fallback;
  const v = params.optional(name)?.trim();
  if (v === undefined || v === '') throw new SendCloudFailure(codes.empty, `${name} is empty`);
  if (v !== '0' && v !== '1') throw new SendCloudFailure(codes.invalid, `${name} must be 0 or 1`);
  return v === '1';
}

/** An optional `0`/`1` filter of apiuser/list; undefined when absent or empty. */
function filterFlag(params: SendCloudParams, name: string, invalid: SendCloudStatusCode): boolean | undefined {
  const v = params.optional(name)?.trim();
  if (v === undefined) return undefined;
  if (v !== '0' && v !== '1') throw new SendCloudFailure(invalid, `${name} must be 0 or 1`);
  return v === '1';
}

/** A required value: `empty` when absent or empty (SendCloud has one code for both). */
function requiredText(params: SendCloudParams, name: string, empty: SendCloudStatusCode): string {
  const v = params.optional(name)?.trim();
  if (v === undefined || v === '') throw new SendCloudFailure(empty, `${name} is required`);
  return v;
}

/** A user as SendCloud shows one: `cType` and `emailType` as text, flags as 0/1. */
function view(user: ApiUserRecord, domainKey: 'domain' | 'domainName'): Record<string, unknown> {
  return {
    name: user.name,
    cType: user.testUser ? '测试' : '非测试',
    emailType: user.mailType === 'trigger' ? '触发' : '批量',
    [domainKey]: user.domainName,
    // NetEase's sender-integrity binding exists only in SendCloud's cloud.
    neteaseSender: '',
    click: user.click ? 1 : 0,
    open: user.open ? 1 : 0,
    unsubscribe: user.unsubscribe ? 1 : 0,
  };
}

function store(ctx: SendCloudActionContext): ApiUserStore {
  return new ApiUserStore({ redis: ctx.deps.redis, keys: ctx.deps.keys });
}

/**
 * `apiuser/add`: a new apiUser with a random apiKey, answered once in `info.data.apiKey` (only
 * its SHA-256 is stored, so it cannot be shown again). Refusals, in this order: name 41110/41111;
 * emailType 41101/41102; cType 41103/41104; domainName 41105/41107/41106, then 41108 when Postmill
 * has no such sender domain; open/click/unsubscribe 41113–41118; a name in use (or Postmill's
 * built-in apiUser) 41119; more than SENDCLOUD_MAX_API_USERS users 41112.
 */
async function add(params: SendCloudParams, ctx: SendCloudActionContext) {
  const name = requiredText(params, 'name', 41110);
  if (!API_USER_NAME.test(name)) throw new SendCloudFailure(41111);
  const emailType = requiredText(params, 'emailType', 41101);
  if (emailType !== '0' && emailType !== '1') throw new SendCloudFailure(41102, 'emailType must be 0 (trigger) or 1 (batch)');
  const normalUser = flag(params, 'cType', { empty: 41103, invalid: 41104 }, true);
  const domainName = requiredText(params, 'domainName', 41105).toLowerCase();
  if (domainName.length > 250) throw new SendCloudFailure(41107);
  if (!DOMAIN_NAME.test(domainName)) throw new SendCloudFailure(41106, `"${domainName.slice(0, 100)}" is not a domain name`);
  // `domain-not-found` is answered 41108 in this module by the error table.
  await ctx.deps.engine.domains.get(domainName);
  const open = flag(params, 'open', { empty: 41113, invalid: 41114 }, true);
  const click = flag(params, 'click', { empty: 41115, invalid: 41116 }, false);
  const unsubscribe = flag(params, 'unsubscribe', { empty: 41117, invalid: 41118 }, true);
  if (ctx.deps.lookupSecret(name) !== undefined) throw new SendCloudFailure(41119, `${name} is already an apiUser`);
  const user: ApiUserRecord = {
    name,
    mailType: emailType === '0' ? 'trigger' : 'batch',
    testUser: !normalUser,
    domainName,
    open,
    click,
    unsubscribe,
    createdAt: ctx.nowMs,
  };
  const apiKey = randomBytes(24).toString('base64url');
  const { maxApiUsers } = resolveSendCloudSettings(ctx.deps.sendCloud);
  const created = await store(ctx).create(user, apiKey, { maxUsers: maxApiUsers });
  if (created === 'taken') throw new SendCloudFailure(41119, `${name} is already an apiUser`);
  if (created === 'full') throw new SendCloudFailure(41112, `at most ${maxApiUsers} apiUsers may exist`);
  return { info: { total: 1, data: { ...view(user, 'domain'), apiKey } } };
}

/**
 * `apiuser/list`: the apiUsers `apiuser/add` created (Postmill's built-in credential is not one of
 * them), oldest first, narrowed by `emailType` (41102), `cType` (41104) and `domainName`.
 */
async function list(params: SendCloudParams, ctx: SendCloudActionContext) {
  const emailType = params.optional('emailType')?.trim();
  if (emailType !== undefined && emailType !== '0' && emailType !== '1') throw new SendCloudFailure(41102, 'emailType must be 0 (trigger) or 1 (batch)');
  const normalUser = filterFlag(params, 'cType', 41104);
  const domainName = params.optional('domainName')?.trim().toLowerCase();
  const users = (await store(ctx).list()).filter(
    (u) =>
      (emailType === undefined || u.mailType === (emailType === '0' ? 'trigger' : 'batch')) &&
      (normalUser === undefined || u.testUser !== normalUser) &&
      (domainName === undefined || u.domainName === domainName),
  );
  const dataList = users.map((u) => view(u, 'domainName'));
  return { info: { count: dataList.length, dataList } };
}

/** `apiuser/add` and `apiuser/list` (GET and POST, as SendCloud documents both). */
export const apiUserActions: SendCloudAction[] = moduleActions('apiuser', { add, list });
