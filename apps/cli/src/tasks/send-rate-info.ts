import { formatRate } from '../progress/rate.ts';

/**
 * GetSendTask's `SendRate` (a Postmill extension): the rate limit the workers send under, as the
 * last started worker announced it. `RatePerSecond` is null when there is no limit.
 */
export interface SendRateInfo {
  readonly Transport: string;
  readonly RatePerSecond: number | null;
  /** The variable that decided it (SEND_RATE_PER_SECOND or the transport's own). */
  readonly Setting: string;
  readonly IsDefault: boolean;
  readonly AnnouncedAt: string;
}

/**
 * What bounds a task's speed, for progress displays. Pure. `line`: the full sentence with the
 * setting to change (`limited by tencent-ses at 20/s (TENCENT_SES_RATE_PER_SECOND)`); `bar`: a
 * short form that keeps a progress bar on one terminal line (`limit tencent-ses 20/s`). Unlimited
 * transports say that the workers bound the speed; an answer without SendRate (no worker announced
 * one, or a server that is not Postmill) says the limit is unknown.
 */
export function describeSendRate(rate: SendRateInfo | undefined, form: 'line' | 'bar'): string {
  if (!rate) return form === 'line' ? 'rate limit unknown (no worker has announced one)' : 'limit ?';
  if (rate.RatePerSecond === null) {
    return form === 'line' ? `${rate.Transport} has no rate limit (${rate.Setting}): the workers bound the speed` : `${rate.Transport} unlimited`;
  }
  const limit = `${formatRate(rate.RatePerSecond)}/s`;
  return form === 'line' ? `limited by ${rate.Transport} at ${limit} (${rate.Setting})` : `limit ${rate.Transport} ${limit}`;
}
