import { ManualClock } from '@postmill/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCloudTime } from '../../src/sendcloud/actions/management-values.ts';
import { popClient, sdkTarget, type Target } from '../aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { apiUserOf, codeOf, sendcloud, unique } from './management-test-kit.ts';

const DAY_MS = 86_400_000;
// 2026-03-10 12:00 in Asia/Shanghai (the harness's zone).
const START_MS = Date.parse('2026-03-10T04:00:00Z');

describe('SendCloud unsubscribe/*, bounce/*, spamreported/list', () => {
  let api: ApiHarness;
  let clock: ManualClock;
  let target: Target;

  beforeAll(async () => {
    clock = new ManualClock(START_MS);
    api = await startApiHarness({ clock });
    target = sdkTarget(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('adds an unsubscribe with result true and statusCode 40401, and blocks the address for every dialect (the shared blacklist)', async () => {
    const email = `u${unique()}@example.com`;
    const added = await sendcloud(api, 'unsubscribe/add', { email });
    expect(added).toMatchObject({
      result: true,
      statusCode: 40401,
      message: '取消订阅记录创建成功',
      info: { data: { email, domain: 'example.com', labelId: 0, apiUser: apiUserOf(api), unsubscribeTime: '2026-03-10 12:00:00' } },
    });
    const tencent = await api.call('ListCustomBlacklist', { Offset: 0, Limit: 100, Email: email });
    expect(tencent.body.Response.Data.map((b: { Email: string }) => b.Email)).toEqual([email]);
    expect((await sendcloud(api, 'unsubscribe/list', { email })).info).toMatchObject({ total: 1, count: 1, dataList: [{ email }] });
    expect(await sendcloud(api, 'unsubscribe/delete', { email })).toMatchObject({ result: true, info: { count: 1 } });
    expect((await sendcloud(api, 'unsubscribe/list', { email })).info).toMatchObject({ total: 0, dataList: [] });
  });

  it('lists and deletes unsubscribes of a days or startDate/endDate window a page at a time', async () => {
    clock.set(START_MS + 10 * DAY_MS); // 2026-03-20
    const early = [`e1${unique()}@example.com`, `e2${unique()}@example.com`];
    for (const email of early) await sendcloud(api, 'unsubscribe/add', { email });
    clock.set(START_MS + 12 * DAY_MS); // 2026-03-22
    const late = [`l1${unique()}@example.com`, `l2${unique()}@example.com`, `l3${unique()}@example.com`];
    for (const email of late) await sendcloud(api, 'unsubscribe/add', { email });

    const window = await sendcloud(api, 'unsubscribe/list', { startDate: '2026-03-20', endDate: '2026-03-21' });
    expect(window.info).toMatchObject({ total: 2, count: 2 });
    expect(window.info.dataList.map((r: { email: string }) => r.email)).toEqual(early);
    const today = await sendcloud(api, 'unsubscribe/list', { days: '1', start: '1', limit: '1' });
    expect(today.info).toMatchObject({ total: 3, count: 1, dataList: [{ email: late[1], unsubscribeTime: '2026-03-22 12:00:00' }] });
    expect((await sendcloud(api, 'unsubscribe/list', { days: '3' })).info.total).toBe(5);
    expect((await sendcloud(api, 'unsubscribe/list', { apiUserList: 'someone_else' })).info.total).toBe(0);

    expect(await sendcloud(api, 'unsubscribe/delete', { days: '1' })).toMatchObject({ result: true, info: { count: 3 } });
    expect((await sendcloud(api, 'unsubscribe/list', { days: '3' })).info.dataList.map((r: { email: string }) => r.email)).toEqual(early);
  });

  it('answers 40011, 40012, 40006, 40007, 40008, 40001–40004, 40010, 40016, 40009, 40015 in their situations', async () => {
    expect(await codeOf(api, 'unsubscribe/add', {})).toBe(40011);
    expect(await codeOf(api, 'unsubscribe/add', { email: 'not-an-address' })).toBe(40012);
    expect(await codeOf(api, 'unsubscribe/list', { email: 'nope' })).toBe(40012);
    expect(await codeOf(api, 'unsubscribe/delete', {})).toBe(40011);
    expect(await codeOf(api, 'unsubscribe/list', { days: '0' })).toBe(40006);
    expect(await codeOf(api, 'unsubscribe/list', { days: '' })).toBe(40006);
    expect(await codeOf(api, 'unsubscribe/list', { startDate: '2026/03/01', endDate: '2026-03-02' })).toBe(40007);
    expect(await codeOf(api, 'unsubscribe/list', { startDate: '2026-03-01', endDate: '03-02' })).toBe(40008);
    expect(await codeOf(api, 'unsubscribe/list', { startDate: '2026-03-05', endDate: '2026-03-02' })).toBe(40008);
    expect(await codeOf(api, 'unsubscribe/list', { start: '' })).toBe(40001);
    expect(await codeOf(api, 'unsubscribe/list', { start: 'x' })).toBe(40002);
    expect(await codeOf(api, 'unsubscribe/list', { limit: '' })).toBe(40003);
    expect(await codeOf(api, 'unsubscribe/list', { limit: '101' })).toBe(40004);
    expect(await codeOf(api, 'unsubscribe/list', { apiUserList: ';' })).toBe(40010);
    expect(await codeOf(api, 'unsubscribe/list', { apiUserList: 'bad user!' })).toBe(40016);
    expect(await codeOf(api, 'unsubscribe/list', { labelIdList: ';' })).toBe(40009);
    expect(await codeOf(api, 'unsubscribe/list', { labelIdList: '1;x' })).toBe(40015);
    expect(await codeOf(api, 'bounce/list', { days: '-1' })).toBe(40006);
    expect(await codeOf(api, 'bounce/delete', {})).toBe(40011);
    expect(await codeOf(api, 'spamreported/list', { email: 'bad' })).toBe(40012);
  });

  it('lists hard bounces from the delivery ledger, counts them, and forgets a deleted one in SendCloud and DirectMail alike', async () => {
    // DirectMail's clients sign with the real time, which the server checks: this test runs now.
    clock.set(Date.now());
    const today = sendCloudTime(clock.now(), 'Asia/Shanghai');
    const pop = popClient(target);
    const domain = `b${unique()}.example.com`;
    const sender = `news@${domain}`;
    await pop.request('CreateDomain', { DomainName: domain }, 'POST');
    await pop.request('CreateMailAddress', { AccountName: sender, Sendtype: 'trigger' }, 'POST');
    const bad = `gone${unique()}@example.org`;
    const soft = `later${unique()}@example.org`;
    const good = `here${unique()}@example.org`;
    const { EnvId } = await pop.request(
      'SingleSendMail',
      { AccountName: sender, AddressType: 1, ReplyToAddress: false, ToAddress: `${good},${bad},${soft}`, Subject: 'B', HtmlBody: '<p>x</p>' },
      'POST',
    );
    const at = clock.now();
    await api.deps.messages.setStates(
      String(EnvId),
      new Map([
        [good, { state: 'sent', at, response: '250 ok' }],
        [bad, { state: 'failed', at, code: '550', message: 'no such user', transient: false }],
        [soft, { state: 'failed', at, code: '451', message: 'try later', transient: true }],
      ]),
    );
    await api.deps.statistics.record([{ at, fromDomain: domain, recipientDomain: 'example.org', metric: 'bounce' }]);

    const listed = await sendcloud(api, 'bounce/list', { days: '1' });
    expect(listed.info.dataList).toEqual([{ email: bad, reason: 'no such user', bounceTime: today, domain: 'example.org' }]);
    expect((await sendcloud(api, 'bounce/list', { email: bad })).info.count).toBe(1);
    expect((await sendcloud(api, 'bounce/count', { days: '1' })).info).toEqual({ count: 1 });

    expect(await sendcloud(api, 'bounce/delete', { email: bad })).toMatchObject({ result: true, info: { count: 1 } });
    expect((await sendcloud(api, 'bounce/list', { days: '1' })).info.dataList).toEqual([]);
    const dm = (await pop.request('QueryInvalidAddress', { StartTime: today.slice(0, 10), EndTime: today.slice(0, 10) }, 'POST')) as {
      data: { mailDetail: unknown[] };
    };
    expect(dm.data.mailDetail).toEqual([]);
  });

  it('answers spamreported/list with an empty list: Postmill receives no complaint feedback', async () => {
    expect(await sendcloud(api, 'spamreported/list', { days: '7' })).toMatchObject({ result: true, statusCode: 200, info: { dataList: [], count: 0 } });
  });
});
