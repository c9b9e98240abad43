import { actions } from '../action.ts';

/** Postmill sets no sending quota of its own: reported as the largest integer every SDK reads exactly. */
const UNLIMITED_QUOTA = Number.MAX_SAFE_INTEGER;
const USER_NORMAL = 0;

/** DescAccountSummary: what exists in this Postmill, whichever dialect made it. */
export const accountActions = actions({
  async DescAccountSummary(_params, { port }) {
    const [domains, senders, receivers, templates, tags] = await Promise.all([
      port.domains.list({ offset: 0, limit: 1 }),
      port.senders.list(),
      port.receivers.list({ offset: 0, limit: 1 }),
      port.templates.list({ offset: 0, limit: 1 }),
      port.tags.list(),
    ]);
    return {
      DailyQuota: UNLIMITED_QUOTA,
      MonthQuota: UNLIMITED_QUOTA,
      DailyRemainFreeQuota: UNLIMITED_QUOTA,
      RemainFreeQuota: UNLIMITED_QUOTA,
      QuotaLevel: 0,
      MaxQuotaLevel: 0,
      Domains: domains.total,
      MailAddresses: senders.length,
      Receivers: receivers.total,
      Templates: templates.total,
      Tags: tags.length,
      UserStatus: USER_NORMAL,
      EnableTimes: 0,
      IpChannelType: '',
      DayuStatus: 0,
      SmsRecord: 0,
      SmsSign: 0,
      SmsTemplates: 0,
    };
  },
});
