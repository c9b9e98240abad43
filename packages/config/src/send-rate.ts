import type { TransportKind } from '@postmill/core';
import { z } from 'zod';

/** A send rate setting's value: provider requests per second, or no limit. */
export type RateValue = number | 'unlimited';

/**
 * The send rate limit a worker applies to its transport, and where it comes from.
 * `perSecond` counts provider requests that may start per second across every worker on one Redis.
 */
export interface SendRate {
  readonly perSecond: RateValue;
  /** The variable that decided it: SEND_RATE_PER_SECOND when set, else the transport's own variable. */
  readonly setting: string;
  /** True when neither variable was set and the transport's default applies. */
  readonly isDefault: boolean;
}

/**
 * Every transport's own rate variable and its default. Guarantees: tencent-ses keeps Tencent's
 * per-action limit (20 requests/s); aliyun-dm gets 20 SingleSendMail calls/s (DirectMail publishes
 * no per-API rate in the references Postmill follows, so the Tencent figure is the cautious pick;
 * DirectMail's `Throttling.*` answers pause every worker's sending either way); sendcloud gets 20
 * `mail/send` calls/s for the same reason (SendCloud documents a frequency-limit answer, `50001`,
 * but no rate, in the references Postmill follows; that answer pauses every worker's sending);
 * smtp gets a typical relay's budget (100 messages/s, see the
 * README's "How fast a campaign goes"); the outbox and the null transport deliver nowhere, so
 * nothing outside Postmill needs protecting and they are unlimited.
 */
export const TRANSPORT_RATES: Readonly<Record<TransportKind, { readonly setting: string; readonly defaultPerSecond: RateValue }>> = {
  'tencent-ses': { setting: 'TENCENT_SES_RATE_PER_SECOND', defaultPerSecond: 20 },
  'aliyun-dm': { setting: 'ALIYUN_DM_RATE_PER_SECOND', defaultPerSecond: 20 },
  sendcloud: { setting: 'SENDCLOUD_RATE_PER_SECOND', defaultPerSecond: 20 },
  smtp: { setting: 'SMTP_RATE_PER_SECOND', defaultPerSecond: 100 },
  outbox: { setting: 'OUTBOX_RATE_PER_SECOND', defaultPerSecond: 'unlimited' },
  null: { setting: 'NULL_RATE_PER_SECOND', defaultPerSecond: 'unlimited' },
};

/**
 * Schema of one rate variable: unset or empty → undefined; `0` or `unlimited` (any case) → no
 * limit; otherwise a positive finite number (fractions allowed: `0.5` is one request every 2 s).
 */
export const rateSetting = z
  .string()
  .optional()
  .transform((raw, ctx): RateValue | undefined => {
    const text = raw?.trim().toLowerCase() ?? '';
    if (text === '') return undefined;
    if (text === 'unlimited') return 'unlimited';
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: 'a positive number of requests per second, or 0 / unlimited for no limit' });
      return z.NEVER;
    }
    return n === 0 ? 'unlimited' : n;
  });

/**
 * The rate of `transport`. Precedence: SEND_RATE_PER_SECOND (an override for whatever transport
 * is selected, as before per-transport settings existed), then the transport's own variable, then
 * its default (TRANSPORT_RATES). Pure.
 */
export function resolveSendRate(
  transport: TransportKind,
  values: { readonly override: RateValue | undefined; readonly perTransport: Readonly<Record<TransportKind, RateValue | undefined>> },
): SendRate {
  if (values.override !== undefined) return { perSecond: values.override, setting: 'SEND_RATE_PER_SECOND', isDefault: false };
  const own = TRANSPORT_RATES[transport];
  const set = values.perTransport[transport];
  return set === undefined
    ? { perSecond: own.defaultPerSecond, setting: own.setting, isDefault: true }
    : { perSecond: set, setting: own.setting, isDefault: false };
}
