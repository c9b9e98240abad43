import type { SendCloudWebhook } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import { managementStores } from './management-stores.ts';
import { listInfo, sendCloudTime } from './management-values.ts';

/** SendCloud's webhook event ids and names (Aurora SendCloud's webhook doc). */
export const WEBHOOK_EVENTS: Readonly<Record<number, string>> = {
  1: 'deliver',
  3: 'report_spam',
  4: 'invalid',
  5: 'soft_bounce',
  10: 'click',
  11: 'open',
  12: 'unsubscribe',
  18: 'request',
};

const EVENT_IDS = new Map(Object.entries(WEBHOOK_EVENTS).map(([id, name]) => [name, Number(id)]));
/** A category is an API_USER name or `all`. */
const CATEGORY = /^[A-Za-z0-9_.@-]{1,64}$/u;
const MAX_URL_LENGTH = 2048;

function categoryOf(params: SendCloudParams, name: 'categoryName' | 'newCategoryName'): string {
  const category = params.required(name, 40701).trim();
  if (!CATEGORY.test(category)) throw new SendCloudFailure(40702, `${name} is an API_USER or all`);
  return category;
}

function urlOf(params: SendCloudParams, name: 'url' | 'newUrl'): string {
  const raw = params.required(name, 40705).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SendCloudFailure(40706, raw.slice(0, 80));
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || raw.length > MAX_URL_LENGTH) throw new SendCloudFailure(40706, raw.slice(0, 80));
  return raw;
}

/** `event`: comma-separated ids (`1,3`) or names (`deliver,open`); 40703 absent, 40704 unknown. */
function eventsOf(params: SendCloudParams, name: 'event' | 'newEvent'): number[] {
  const raw = params.required(name, 40703);
  const ids = new Set<number>();
  for (const item of raw.split(/[,;]/u).map((s) => s.trim().toLowerCase())) {
    if (item === '') continue;
    const id = /^\d{1,3}$/u.test(item) ? Number(item) : EVENT_IDS.get(item);
    if (id === undefined || WEBHOOK_EVENTS[id] === undefined) throw new SendCloudFailure(40704, item.slice(0, 40));
    ids.add(id);
  }
  if (ids.size === 0) throw new SendCloudFailure(40704);
  return [...ids].sort((a, b) => a - b);
}

function webhookRow(deps: ApiDeps, w: SendCloudWebhook): Record<string, unknown> {
  return {
    categoryName: w.categoryName,
    url: w.url,
    event: w.events.join(','),
    eventName: w.events.map((id) => WEBHOOK_EVENTS[id] ?? '').join(','),
    gmtCreated: sendCloudTime(w.createdAt, deps.timeZone),
    gmtUpdated: sendCloudTime(w.updatedAt, deps.timeZone),
  };
}

/**
 * Webhook configurations (`webhook/list|add|update|delete`), kept per (categoryName, url) with the
 * events sent there. They are stored and validated now; events are delivered to them once
 * Postmill's event delivery lands. SendCloud tests a URL when it is saved (40707); Postmill does
 * not call it from the API (an API request never waits on a third party), so 40707 is never answered.
 * SendCloud documents no answer bodies for these four: `add` answers the configuration as `data`,
 * the others `count` (list: `dataList`).
 */
export const webhookActions = moduleActions('webhook', {
  async list(params, { deps }) {
    const url = params.optional('url')?.trim();
    const category = params.optional('categoryName')?.trim();
    const events = params.optional('event') === undefined ? undefined : eventsOf(params, 'event');
    const rows = (await managementStores(deps).webhooks.list()).filter(
      (w) =>
        (url === undefined || w.url === url) &&
        (category === undefined || w.categoryName === category) &&
        (events === undefined || events.some((e) => w.events.includes(e))),
    );
    return { info: listInfo(rows.map((w) => webhookRow(deps, w))) };
  },

  async add(params, { deps }) {
    const url = urlOf(params, 'url');
    const categoryName = categoryOf(params, 'categoryName');
    const events = eventsOf(params, 'event');
    const added = await managementStores(deps).webhooks.add({ categoryName, url, events });
    if (!added) throw new SendCloudFailure(40708, `${categoryName} ${url.slice(0, 80)}`);
    return { info: { data: webhookRow(deps, added) } };
  },

  async update(params, { deps }) {
    const url = urlOf(params, 'url');
    const categoryName = categoryOf(params, 'categoryName');
    if (params.present('event')) eventsOf(params, 'event');
    const changes = (['newCategoryName', 'newUrl', 'newEvent'] as const).filter((n) => params.present(n));
    if (changes.length !== 1) throw new SendCloudFailure(40712, 'give exactly one of newCategoryName, newUrl, newEvent');
    const change =
      changes[0] === 'newCategoryName'
        ? { categoryName: categoryOf(params, 'newCategoryName') }
        : changes[0] === 'newUrl'
          ? { url: urlOf(params, 'newUrl') }
          : { events: eventsOf(params, 'newEvent') };
    const result = await managementStores(deps).webhooks.update(categoryName, url, change);
    if (result === 'not-found') throw new SendCloudFailure(40709, `${categoryName} ${url.slice(0, 80)}`);
    if (result === 'exists') throw new SendCloudFailure(40708);
    return { info: { count: 1 } };
  },

  /** Stops sending `event` to the URL; a configuration left without events is removed. */
  async delete(params, { deps }) {
    const url = urlOf(params, 'url');
    const categoryName = categoryOf(params, 'categoryName');
    const events = eventsOf(params, 'event');
    const webhooks = managementStores(deps).webhooks;
    const current = await webhooks.get(categoryName, url);
    if (!current) throw new SendCloudFailure(40709, `${categoryName} ${url.slice(0, 80)}`);
    const left = current.events.filter((e) => !events.includes(e));
    const done = left.length === 0 ? await webhooks.delete(categoryName, url) : (await webhooks.update(categoryName, url, { events: left })) === 'ok';
    if (!done) throw new SendCloudFailure(40709, `${categoryName} ${url.slice(0, 80)}`);
    return { info: { count: 1 } };
  },
});
