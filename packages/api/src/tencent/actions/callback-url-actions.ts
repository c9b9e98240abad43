import { addressKey } from '@postmill/core';
import { WebhookEndpointStore } from '@postmill/store';
import { TargetPolicy, type UrlRefusal, urlRefusalOf } from '@postmill/webhooks';
import { z } from 'zod';
import type { ApiDeps } from '../../api-deps.ts';
import { defineAction, type TencentAction } from '../action.ts';
import { TencentApiError } from '../tencent-api-error.ts';

/**
 * Postmill extension actions (not in Tencent's API: Tencent configures callback addresses in its
 * console, §5.1). Same rules as the console: one account-level URL and at most one per sender
 * address; the sender's wins for its address, the account's applies to every other. Events are
 * posted in Tencent's format to the URL in force when each event is published.
 */

/** The error code of a URL that may not be stored (Tencent's `Illegal…` family). */
export const ILLEGAL_CALLBACK_URL = 'InvalidParameterValue.IllegalCallbackUrl';

const WHY: Readonly<Record<UrlRefusal, string>> = {
  malformed: 'is not an absolute URL of at most 1024 characters without spaces',
  scheme: 'must start with http:// or https://',
  metadata: 'names a cloud metadata service, which is never a callback target',
  'refused-range': 'names a loopback, link-local, multicast, reserved or unspecified address (allow it with WEBHOOK_ALLOW_CIDRS)',
  private: 'names a private network address while WEBHOOK_ALLOW_PRIVATE=false (allow it with WEBHOOK_ALLOW_CIDRS)',
  'denied-cidr': 'names an address in WEBHOOK_DENY_CIDRS',
  'not-an-address': 'names no valid address',
};

/** The default policy when the API runs without webhook deps (tests, tools): the settings' defaults. */
const DEFAULT_POLICY = new TargetPolicy();

function checkedUrl(deps: ApiDeps, url: string): string {
  if (url === '') return url;
  const refusal = urlRefusalOf(deps.webhooks?.policy ?? DEFAULT_POLICY, url);
  if (refusal !== undefined) throw new TencentApiError(ILLEGAL_CALLBACK_URL, `CallbackUrl ${WHY[refusal]}.`, { context: { refusal } });
  return url;
}

const store = (deps: ApiDeps) => new WebhookEndpointStore({ redis: deps.redis, keys: deps.keys });

/**
 * Sets the account-level callback URL, or with `EmailAddress` the URL of that sender address
 * (`InvalidParameterValue.NoSuchSender` when it does not exist). An empty `CallbackUrl` removes it.
 * A URL that is not http(s) or whose host the target policy refuses (loopback, link-local,
 * metadata, WEBHOOK_DENY_CIDRS; private networks while WEBHOOK_ALLOW_PRIVATE=false) →
 * `InvalidParameterValue.IllegalCallbackUrl`, nothing stored. Host names are not resolved here;
 * the worker refuses a name that resolves to a refused address at each delivery.
 */
const setCallbackUrl = defineAction({
  name: 'PostmillSetCallbackUrl',
  input: z.strictObject({ CallbackUrl: z.string(), EmailAddress: z.string().optional() }),
  async handle(input, { deps }) {
    const url = checkedUrl(deps, input.CallbackUrl.trim());
    if (input.EmailAddress === undefined) {
      await store(deps).setAccountUrl(url);
    } else {
      const sender = await deps.engine.senders.get(input.EmailAddress);
      await store(deps).setSenderUrl(sender.address, url);
    }
    return {};
  },
});

/**
 * The account-level callback URL, or with `EmailAddress` that sender address's own; `''` when none
 * is set. `EffectiveCallbackUrl` is where that sender's events go now (its own, else the account's).
 */
const getCallbackUrl = defineAction({
  name: 'PostmillGetCallbackUrl',
  input: z.strictObject({ EmailAddress: z.string().optional() }),
  async handle(input, { deps }) {
    const all = await store(deps).list();
    const account = all.accountUrl ?? '';
    if (input.EmailAddress === undefined) return { CallbackUrl: account, EffectiveCallbackUrl: account };
    const sender = await deps.engine.senders.get(input.EmailAddress);
    const own = all.senders.find((s) => s.address === addressKey(sender.address))?.url ?? '';
    return { CallbackUrl: own, EffectiveCallbackUrl: own || account };
  },
});

/** Every callback URL: the account-level one (`''` when none) and each sender address's own. */
const listCallbackUrls = defineAction({
  name: 'PostmillListCallbackUrls',
  input: z.strictObject({}),
  async handle(_input, { deps }) {
    const all = await store(deps).list();
    return {
      AccountCallbackUrl: all.accountUrl ?? '',
      SenderCallbackUrls: all.senders.map((s) => ({ EmailAddress: s.address, CallbackUrl: s.url })),
    };
  },
});

/** The callback-address extension actions (PostmillSetCallbackUrl, PostmillGetCallbackUrl, PostmillListCallbackUrls). */
export const callbackUrlActions: TencentAction[] = [setCallbackUrl, getCallbackUrl, listCallbackUrls];
