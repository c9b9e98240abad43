import { ManualClock, type MessageSpec } from '@postmill/core';
import { commandsDuring, type LoggedCommand } from '@postmill/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { ok } from './tencent-answer.ts';

// 2026-03-15 10:00 in Asia/Shanghai (02:00 UTC); the small day is the day before.
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const DAY_MS = 86_400_000;
const SENDERS = ['news@mail.example.com', 'alerts@mail.example.com'];
const LIMIT = 100;

interface StatusRow {
  MessageId: string;
  ToEmailAddress: string;
  FromEmailAddress: string;
  UserUnsubscribed: boolean;
}

/** Message i of a day: two recipients (one of its own, one shared), from one of two senders in turn. */
function spec(day: string, i: number, acceptedAt: number): MessageSpec {
  return {
    messageId: `pm-${day}-${String(i).padStart(5, '0')}`,
    acceptedAt,
    from: { address: SENDERS[i % 2] as string, name: 'Sender' },
    to: [`u${i}@x.org`, 'shared@x.org'],
    cc: [],
    bcc: [],
    subject: 'Hello',
    html: '<p>Hello</p>',
    attachments: [],
    headers: {},
    unsubscribe: '0',
    triggerType: 1,
  };
}

/** What the API sent to Redis (MONITOR also lists what scripts ran, as source "lua"), by command name. */
function sent(commands: readonly LoggedCommand[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of commands) {
    if (c.source === 'lua') continue;
    const name = (c.args[0] ?? '').toLowerCase();
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

// A GetSendEmailStatus page must cost the same Redis commands on a small and a big day and at any
// Offset: one script finding the page, one read per message shown, one check of the day's first
// message, and one unsubscribe lookup per sender of the page (not per row).
describe('GetSendEmailStatus Redis commands per page', () => {
  const days = { small: { date: '2026-03-14', messages: 150 }, big: { date: '2026-03-15', messages: 1500 } };
  let api: ApiHarness;
  let prefix: string;

  beforeAll(async () => {
    api = await startApiHarness({ clock: new ManualClock(NOW) });
    prefix = api.deps.keys.prefix;
    const starts = { small: NOW - DAY_MS, big: NOW - 3_600_000 };
    for (const [name, day] of Object.entries(days) as ['small' | 'big', (typeof days)['small']][]) {
      for (let i = 0; i < day.messages; i += 100) {
        await Promise.all(Array.from({ length: Math.min(100, day.messages - i) }, (_, k) => api.deps.messages.accept(spec(name, i + k, starts[name] + i + k))));
      }
    }
    // Some recipients unsubscribed from one sender only.
    await api.deps.suppressions.unsubscribe(SENDERS[0] as string, 'shared@x.org');
    await api.deps.suppressions.unsubscribe(SENDERS[1] as string, 'U3@x.org');
  }, 60_000);
  afterAll(async () => {
    await api.close();
  });

  async function page(date: string, offset: number, recipient?: string): Promise<StatusRow[]> {
    const body = { RequestDate: date, Offset: offset, Limit: LIMIT, ...(recipient ? { ToEmailAddress: recipient } : {}) };
    return ok(await api.call('GetSendEmailStatus', body)).EmailStatusList as StatusRow[];
  }

  it('sends one read per message shown plus four commands, whatever the day size and Offset, and asks each sender unsubscribe set once', async () => {
    const redisUrl = inject('redisUrl');
    for (const day of Object.values(days)) {
      const rows = 2 * day.messages;
      for (const offset of [0, rows / 2 - 1, rows - LIMIT]) {
        await page(day.date, offset); // scripts loaded: no NOSCRIPT retry in what is counted
        let listed: StatusRow[] = [];
        let perMessage: LoggedCommand[] = [];
        // Keys start with the prefix (`<prefix>:{m:<id>}:…`, `<prefix>:{d:<date>}:…`) or with its
        // tag (`{<prefix>}:unsub:…`): one MONITOR for each.
        const tagged = await commandsDuring(redisUrl, `{${prefix}}`, async () => {
          perMessage = await commandsDuring(redisUrl, prefix, async () => (listed = await page(day.date, offset)));
        });
        const counts = sent([...perMessage, ...tagged]);
        const messages = new Set(listed.map((r) => r.MessageId)).size;
        expect(listed, `${day.date} offset ${offset}`).toHaveLength(LIMIT);
        expect(messages, `${day.date} offset ${offset}`).toBe(offset % 2 === 0 ? 50 : 51);
        // The page's script and one per message; the day's first message; one SMISMEMBER per sender.
        expect(counts, `${day.date} offset ${offset}`).toEqual({ evalsha: messages + 1, exists: 1, smismember: SENDERS.length });
      }
    }
  });

  it("shows UserUnsubscribed per sender and recipient as before: an unsubscribe from one sender leaves the other sender's rows alone, and case does not matter", async () => {
    const rows = await page(days.big.date, 0);
    for (const row of rows) {
      const expected =
        (row.FromEmailAddress === SENDERS[0] && row.ToEmailAddress === 'shared@x.org') ||
        (row.FromEmailAddress === SENDERS[1] && row.ToEmailAddress === 'u3@x.org');
      expect(row.UserUnsubscribed, `${row.MessageId} ${row.ToEmailAddress}`).toBe(expected);
    }
    expect(rows.filter((r) => r.UserUnsubscribed).length).toBe(26); // shared@ on the 25 messages of SENDERS[0], u3@ once
    for (const row of rows) {
      expect(row.UserUnsubscribed, row.ToEmailAddress).toBe(await api.deps.suppressions.isUnsubscribed(row.FromEmailAddress, row.ToEmailAddress));
    }
  });
});
