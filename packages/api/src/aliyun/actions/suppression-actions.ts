import { EngineError, isValidEmail } from '@postmill/core';
import type { BlacklistEntry } from '@postmill/store';
import { actions } from '../action.ts';
import { invalid } from '../aliyun-api-error.ts';
import type { DirectMailPort } from '../engine-port.ts';

// The blacklist keeps "YYYY-MM-DD hh:mm:ss" in the deployment's zone; DirectMail answers epoch seconds.
function epochSeconds(entry: BlacklistEntry, timeZoneOffsetMs: number): number {
  const ms = Date.parse(`${entry.createTime.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? 0 : Math.floor((ms - timeZoneOffsetMs) / 1000);
}

function zoneOffsetMs(timeZone: string, atMs: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(atMs)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/** Every blacklist entry (the whole list: RemoveUserSuppression names entries by id). */
async function allEntries(port: DirectMailPort): Promise<BlacklistEntry[]> {
  return port.readAll((page) => port.suppressions.list(page));
}

/**
 * User suppression: CreateUserSuppression, ListUserSuppression, RemoveUserSuppression, on the
 * blacklist every dialect shares (Tencent's custom blacklist), so a suppressed address is never
 * sent to, whichever dialect sends.
 */
export const suppressionActions = actions({
  async CreateUserSuppression(params, { port }) {
    const address = params.required('Address', { maxLength: 254 });
    if (!address.includes('@')) {
      throw new EngineError('unsupported', 'Suppressing a whole domain is not supported yet; suppress addresses.', {
        context: { feature: 'domain-suppression', field: 'address' },
      });
    }
    if (!isValidEmail(address)) throw invalid('Address', `"${address.slice(0, 60)}" is not an email address.`);
    await port.suppressions.add([address]);
    const entry = (await port.suppressions.list({ offset: 0, limit: 1, email: address })).items.find((e) => e.email.toLowerCase() === address.toLowerCase());
    return { SuppressionId: String(entry?.id ?? '') };
  },

  async ListUserSuppression(params, { port, deps, nowMs }) {
    const address = params.optional('Address', { maxLength: 254 });
    const page = params.page({ defaultSize: 10, maxSize: 100 });
    const listed = await port.suppressions.list({ offset: page.offset, limit: page.pageSize, ...(address === undefined ? {} : { email: address }) });
    const offset = zoneOffsetMs(deps.timeZone, nowMs);
    return {
      PageNumber: page.pageNo,
      PageSize: page.pageSize,
      TotalCount: listed.total,
      Data: {
        UserSuppressions: listed.items.map((e) => ({
          SuppressionId: e.id,
          Address: e.email,
          // 1 = added by the user (DirectMail also keeps addresses it suppressed itself after bounces).
          Type: 1,
          CreateTime: epochSeconds(e, offset),
          LastBounceTime: 0,
        })),
      },
    };
  },

  async RemoveUserSuppression(params, { port }) {
    const raw = params.required('SuppressionIds', { maxLength: 10_000 });
    const ids = raw.split(',').map((s) => s.trim());
    if (ids.some((id) => !/^\d{1,15}$/u.test(id))) throw invalid('SuppressionIds', 'a comma-separated list of SuppressionId values is expected.');
    const wanted = new Set(ids.map(Number));
    const emails = (await allEntries(port)).filter((e) => wanted.has(e.id)).map((e) => e.email);
    if (emails.length > 0) await port.suppressions.remove(emails);
    return {};
  },
});
