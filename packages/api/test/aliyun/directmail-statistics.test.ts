import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanDeliveries } from '../../src/aliyun/delivery-scan.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { popClient, sdkTarget, type Target } from './sdk-clients.ts';

const unique = () => randomBytes(4).toString('hex');

// Delivery outcomes are what the worker records in the status ledger; here they are recorded
// directly (no worker runs in the API harness), then read through DirectMail's actions.
describe('DirectMail delivery details and invalid addresses', () => {
  let api: ApiHarness;
  let target: Target;

  beforeAll(async () => {
    api = await startApiHarness();
    target = sdkTarget(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('lists each recipient with its DirectMail status, lists permanent failures as invalid addresses, and forgets a dismissed one', async () => {
    const pop = popClient(target);
    const domain = `st${unique()}.example.com`;
    const sender = `news@${domain}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'trigger' }, 'POST');
    await pop.request('CreateTag', { TagName: `t${unique()}` }, 'POST');
    const bad = `gone${unique()}@example.org`;
    const good = `here${unique()}@example.org`;
    const { EnvId } = await pop.request(
      'SingleSendMail',
      { AccountName: sender, AddressType: 1, ReplyToAddress: false, ToAddress: `${good},${bad}`, Subject: 'Stats', HtmlBody: '<p>x</p>' },
      'POST',
    );
    const messageId = String(EnvId);
    const now = Date.now();
    await api.deps.messages.setStates(
      messageId,
      new Map([
        [good, { state: 'sent', at: now, response: '250 ok' }],
        [bad, { state: 'failed', at: now, code: '550', message: 'no such user', transient: false }],
      ]),
    );

    const details = await pop.request('SenderStatisticsDetailByParam', { AccountName: sender, Length: 10 }, 'GET');
    const rows = (details as { data: { mailDetail: { ToAddress: string; Status: number; Subject: string; Message: string }[] } }).data.mailDetail;
    expect(rows.map((r) => [r.ToAddress, r.Status, r.Subject]).sort()).toEqual(
      [
        [bad, 2, 'Stats'],
        [good, 0, 'Stats'],
      ].sort(),
    );
    const failedOnly = await pop.request('SenderStatisticsDetailByParam', { AccountName: sender, Status: 2 }, 'GET');
    expect(failedOnly).toMatchObject({ data: { mailDetail: [{ ToAddress: bad, Message: 'no such user' }] } });

    const invalid = await pop.request('QueryInvalidAddress', { KeyWord: bad }, 'GET');
    expect(invalid).toMatchObject({ TotalCount: 1, data: { mailDetail: [{ ToAddress: bad }] } });
    await pop.request('DeleteInvalidAddress', { ToAddress: bad }, 'POST');
    expect(await pop.request('QueryInvalidAddress', { KeyWord: bad }, 'GET')).toMatchObject({ TotalCount: 0 });
  });

  it('pages delivery details with NextStart without repeating or skipping a recipient', async () => {
    const pop = popClient(target);
    const domain = `pg${unique()}.example.com`;
    const sender = `news@${domain}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'trigger' }, 'POST');
    const recipients = Array.from({ length: 5 }, (_, i) => `r${i}${unique()}@example.org`);
    await pop.request(
      'SingleSendMail',
      { AccountName: sender, AddressType: 1, ReplyToAddress: false, ToAddress: recipients.join(','), Subject: 'p', HtmlBody: 'b' },
      'POST',
    );
    const seen: string[] = [];
    let nextStart: string | undefined;
    for (let page = 0; page < 10; page++) {
      const answer = (await pop.request(
        'SenderStatisticsDetailByParam',
        { AccountName: sender, Length: 2, ...(nextStart ? { NextStart: nextStart } : {}) },
        'GET',
      )) as {
        NextStart: string;
        data: { mailDetail: { ToAddress: string; Status: number }[] };
      };
      seen.push(...answer.data.mailDetail.map((d) => d.ToAddress));
      expect(answer.data.mailDetail.every((d) => d.Status === 1)).toBe(true);
      if (!answer.NextStart) break;
      nextStart = answer.NextStart;
    }
    expect(seen.sort()).toEqual([...recipients].sort());
  });

  it('answers no delivery details and no cursor for days before the status retention, rather than an error', async () => {
    const pop = popClient(target);
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toLocaleDateString('sv-SE', { timeZone: api.deps.timeZone });
    const details = await pop.request('SenderStatisticsDetailByParam', { StartTime: day(45), EndTime: day(40), Length: 10 }, 'GET');
    expect(details).toMatchObject({ NextStart: '', data: { mailDetail: [] } });
    const invalid = await pop.request('QueryInvalidAddress', { StartTime: day(45), EndTime: day(40) }, 'GET');
    expect(invalid).toMatchObject({ NextStart: '', TotalCount: 0, data: { mailDetail: [] } });
  });

  it('reads at most maxRowsRead status rows per call under a sparse filter, answering fewer rows with a cursor, and paging on finds every match once', async () => {
    const pop = popClient(target);
    const domain = `sp${unique()}.example.com`;
    const sender = `news@${domain}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'trigger' }, 'POST');
    const crowd = Array.from({ length: 7 }, (_, i) => `c${i}${unique()}@example.org`);
    await pop.request(
      'SingleSendMail',
      { AccountName: sender, AddressType: 1, ReplyToAddress: false, ToAddress: crowd.join(','), Subject: 's', HtmlBody: 'b' },
      'POST',
    );
    const wanted = new Set([crowd[2], crowd[6]]);
    const date = new Date(Date.now()).toLocaleDateString('sv-SE', { timeZone: api.deps.timeZone });
    let read = 0;
    const { deliveries } = api.deps.engine;
    const found: string[] = [];
    let cursor = { day: 0, offset: 0 };
    let calls = 0;
    for (;;) {
      calls++;
      let readThisCall = 0;
      // The scan reads its rows through the engine's day pages: counted there.
      const deps = {
        ...api.deps,
        engine: {
          ...api.deps.engine,
          deliveries: {
            ...deliveries,
            byDate: async (q: Parameters<typeof deliveries.byDate>[0]) => {
              const page = await deliveries.byDate(q);
              readThisCall += page.length;
              return page;
            },
          },
        },
      };
      const { rows, next } = await scanDeliveries(deps, { dates: [date], cursor, length: 10, maxRowsRead: 2, keep: (r) => wanted.has(r.recipient) });
      expect(readThisCall).toBeLessThanOrEqual(2);
      read += readThisCall;
      found.push(...rows.map((r) => r.recipient));
      if (next === undefined) break;
      cursor = next;
      expect(calls).toBeLessThan(1_000);
    }
    expect(found.sort()).toEqual([...wanted].sort());
    expect(read).toBeGreaterThanOrEqual(crowd.length);
  });
});
