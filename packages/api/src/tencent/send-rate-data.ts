import { tryFormatTencentDateTime } from '@postmill/core';
import type { SendRateAnnouncement } from '@postmill/store';

/**
 * GetSendTask's `SendRate` extension field: the rate limit the workers send under, as the last
 * started worker announced it (SendRateStore), so a progress display can say what bounds a task.
 * `RatePerSecond` is null when there is no limit; `Setting` names the variable that decided it,
 * `IsDefault` says it was the transport's default. Null when no worker has announced one yet.
 */
export function sendRateData(announcement: SendRateAnnouncement | undefined, timeZone: string): Record<string, unknown> | null {
  if (!announcement) return null;
  return {
    Transport: announcement.transport,
    RatePerSecond: announcement.perSecond === 'unlimited' ? null : announcement.perSecond,
    Setting: announcement.setting,
    IsDefault: announcement.isDefault,
    AnnouncedAt: tryFormatTencentDateTime(announcement.announcedAtMs, timeZone) ?? '',
  };
}
