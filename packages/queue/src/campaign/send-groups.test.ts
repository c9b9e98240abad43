import type { MailTransport, TransportRequest } from '@postmill/core';
import { describe, expect, it } from 'vitest';
import { sendGroups } from './send-groups.ts';

const requestOf = (email: string) =>
  ({
    message: { to: [email] },
    recipients: [email],
    postmillMessageId: `pm-${email}`,
  }) as unknown as TransportRequest; // only identity and recipients matter here
const emails = Array.from({ length: 12 }, (_, i) => `u${i}@example.org`);
const base: MailTransport = { kind: 'null', send: async () => ({ outcomes: [] }), close: async () => {} };

describe('sendGroups', () => {
  it('gives each recipient a request of its own when the transport cannot send personal messages together', () => {
    expect(sendGroups(base, emails.slice(0, 3), requestOf, 50)).toEqual([[emails[0]], [emails[1]], [emails[2]]]);
  });

  it('splits into runs of at most min(personalisedBatchSize, SEND_CHUNK_SIZE), then into the transport groups', () => {
    const memo = new Map<string, TransportRequest>();
    const cached = (e: string) => memo.get(e) ?? memo.set(e, requestOf(e)).get(e) ?? requestOf(e);
    const t: MailTransport = {
      ...base,
      sendPersonalised: async () => ({ outcomes: [] }),
      personalisedBatchSize: 5,
      // Odd-numbered recipients can share a request; even-numbered ones go alone.
      personalisedGroups: (rs) => [
        rs.filter((r) => Number(r.recipients[0]?.slice(1, -12)) % 2 === 1),
        ...rs.filter((r) => Number(r.recipients[0]?.slice(1, -12)) % 2 === 0).map((r) => [r]),
      ],
    };
    expect(sendGroups(t, emails, cached, 4).map((g) => g.map((e) => e.slice(0, -12)))).toEqual([
      ['u1', 'u3'],
      ['u0'],
      ['u2'],
      ['u5', 'u7'],
      ['u4'],
      ['u6'],
      ['u9', 'u11'],
      ['u8'],
      ['u10'],
    ]);
  });

  it('still sends a message the transport left out of every group, alone, and never one twice', () => {
    const t: MailTransport = {
      ...base,
      sendPersonalised: async () => ({ outcomes: [] }),
      personalisedBatchSize: 10,
      personalisedGroups: (rs) => [rs.slice(0, 2), rs.slice(1, 3)],
    };
    const memo = new Map<string, TransportRequest>();
    const cached = (e: string) => memo.get(e) ?? memo.set(e, requestOf(e)).get(e) ?? requestOf(e);
    const groups = sendGroups(t, emails.slice(0, 5), cached, 50);
    expect(groups).toEqual([[emails[0], emails[1]], [emails[2]], [emails[3]], [emails[4]]]);
  });
});
