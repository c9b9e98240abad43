import { timingSafeEqual } from 'node:crypto';
import type { TrackingSwitch } from '@postmill/core';
import type { ApiUserStore } from '@postmill/store';
import type { ApiUserType } from './action.ts';
import type { SendCloudParams } from './params.ts';
import { SendCloudFailure } from './sendcloud-failure.ts';

/** The apiUser a request authenticated as. */
export interface AuthenticatedApiUser {
  readonly apiUser: string;
  readonly type: ApiUserType;
  /** True for Postmill's own credential (POSTMILL_SECRET_ID / POSTMILL_SECRET_KEY). */
  readonly builtIn: boolean;
  /** An added apiUser's `open`/`click` settings; absent for the built-in credential (TRACKING_DOMAINS decides). */
  readonly tracking?: TrackingSwitch;
}

/** The names `apiuser/add` accepts (SendCloud's rule, 41111); only such names are looked up in Redis. */
export const API_USER_NAME = /^[A-Za-z0-9_]{6,32}$/u;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks `apiUser` and `apiKey` (form or query fields, the body's winning). Guarantees: answers
 * the built-in credential (type `both`) when `apiUser` is a Postmill SecretId and `apiKey` its
 * secret key, compared in constant time; else an apiUser added through `apiuser/add` whose key
 * matches (compared by hash in constant time); anything else, a missing field included, throws
 * 40005 (认证失败), the same for an unknown user and a wrong key. Redis errors propagate.
 */
export async function authenticateApiUser(
  params: SendCloudParams,
  options: { readonly lookupSecret: (secretId: string) => string | undefined; readonly apiUsers: ApiUserStore },
): Promise<AuthenticatedApiUser> {
  const apiUser = params.optional('apiUser');
  const apiKey = params.optional('apiKey');
  if (apiUser === undefined || apiKey === undefined) throw new SendCloudFailure(40005, 'apiUser and apiKey are required');
  const secret = options.lookupSecret(apiUser);
  if (secret !== undefined) {
    if (sameText(secret, apiKey)) return { apiUser, type: 'both', builtIn: true };
    throw new SendCloudFailure(40005);
  }
  if (API_USER_NAME.test(apiUser)) {
    const user = await options.apiUsers.authenticate(apiUser, apiKey);
    if (user) return { apiUser, type: user.mailType, builtIn: false, tracking: { opens: user.open, clicks: user.click } };
  }
  throw new SendCloudFailure(40005);
}
