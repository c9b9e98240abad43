import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popClient, sdkTarget, type Target } from '../aliyun/sdk-clients.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';

describe('SendCloud addressmember/*', () => {
  let api: ApiHarness;
  let target: Target;

  beforeAll(async () => {
    api = await startApiHarness();
    target = sdkTarget(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  async function newList(): Promise<string> {
    const address = `m${unique()}@maillist.sendcloud.org`;
    await sendcloud(api, 'addresslist/add', { address, name: `n${unique()}` });
    return address;
  }

  it('adds members with names and vars (a ; inside a JSON string included), lists them a page at a time and gets them by address', async () => {
    const address = await newList();
    const added = await sendcloud(api, 'addressmember/add', {
      address,
      members: 'ben@example.com;joe@example.com;ann@example.com',
      names: 'Ben;Joe;Ann',
      vars: '{"money":"99"};{"money":"9;00"};{"%money%":12}',
    });
    expect(added).toMatchObject({ result: true, statusCode: 200, info: { count: 3 } });

    const listed = await sendcloud(api, 'addressmember/list', { address, start: '1', limit: '1' });
    expect(listed.info).toMatchObject({ total: 3, count: 1, dataList: [{ address, member: 'joe@example.com', name: 'Joe', vars: '{"money":"9;00"}' }] });
    expect(listed.info.dataList[0].gmtCreated).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/u);

    const got = await sendcloud(api, 'addressmember/get', { address, members: 'ANN@example.com;nobody@example.com' });
    expect(got.info).toMatchObject({ count: 1, dataList: [{ member: 'ann@example.com', name: 'Ann', vars: '{"money":"12"}' }] });
    expect((await sendcloud(api, 'addresslist/list', { address })).info.dataList[0].memberCount).toBe(3);
  });

  it('answers vars "" for members without variables and counts only new members', async () => {
    const address = await newList();
    expect((await sendcloud(api, 'addressmember/add', { address, members: 'a@example.com;b@example.com' })).info.count).toBe(2);
    expect((await sendcloud(api, 'addressmember/add', { address, members: 'b@example.com;c@example.com' })).info.count).toBe(1);
    const listed = await sendcloud(api, 'addressmember/list', { address });
    expect(listed.info.dataList.map((m: { member: string; vars: string; name: string }) => [m.member, m.vars, m.name])).toEqual([
      ['a@example.com', '', ''],
      ['b@example.com', '', ''],
      ['c@example.com', '', ''],
    ]);
  });

  it('answers 40512, 40515, 40518, 40520, 40521, 40522, 40531 for bad members or vars, 40516 when every member is refused, 40517 for an unknown list', async () => {
    const address = await newList();
    expect(await codeOf(api, 'addressmember/add', { address })).toBe(40512);
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}@example.com`).join(';');
    expect(await codeOf(api, 'addressmember/add', { address, members: many })).toBe(40515);
    expect(await codeOf(api, 'addressmember/add', { address, members: 'ok@example.com;not-an-address' })).toBe(40518);
    expect(await codeOf(api, 'addressmember/add', { address, members: 'a@example.com', vars: '' })).toBe(40520);
    expect(await codeOf(api, 'addressmember/add', { address, members: 'a@example.com;b@example.com', vars: '{"k":"1"}' })).toBe(40521);
    expect(await codeOf(api, 'addressmember/add', { address, members: 'a@example.com', vars: '{"k":' })).toBe(40522);
    expect(await codeOf(api, 'addressmember/add', { address, members: 'a@example.com', vars: '["k"]' })).toBe(40522);
    expect(await codeOf(api, 'addressmember/add', { address, members: 'a@example.com', vars: JSON.stringify({ k: 'v'.repeat(1025) }) })).toBe(40531);
    // The list's variable names are fixed by its first member: a member with others is refused.
    await sendcloud(api, 'addressmember/add', { address, members: 'a@example.com', vars: '{"k":"1"}' });
    expect(await codeOf(api, 'addressmember/add', { address, members: 'b@example.com', vars: '{"other":"1"}' })).toBe(40516);
    expect(await codeOf(api, 'addressmember/list', { address: `x${unique()}@maillist.sendcloud.org` })).toBe(40517);
    expect(await codeOf(api, 'addressmember/list', { address: 'no-at-sign' })).toBe(40511);
    expect(await codeOf(api, 'addressmember/list', {})).toBe(40503);
  });

  it("answers 40513 for a member address longer than 254 characters (add, and update's newMembers) and 40518 for a malformed one", async () => {
    const address = await newList();
    // Well-formed but for its length: a 64-character local part, 63-character labels.
    const domainOf = (last: number) => `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(last)}.com`;
    const long = `${'a'.repeat(64)}@${domainOf(58)}`;
    expect(long.length).toBe(255);
    expect(await codeOf(api, 'addressmember/add', { address, members: `ok@example.com;${long}` })).toBe(40513);
    await sendcloud(api, 'addressmember/add', { address, members: 'ok@example.com' });
    expect(await codeOf(api, 'addressmember/update', { address, members: 'ok@example.com', newMembers: long })).toBe(40513);
    expect(await codeOf(api, 'addressmember/update', { address, members: 'ok@example.com', newMembers: 'not-an-address' })).toBe(40518);
    // A 254-character address is a member like any other.
    const longest = `${'a'.repeat(64)}@${domainOf(57)}`;
    expect(longest.length).toBe(254);
    expect((await sendcloud(api, 'addressmember/add', { address, members: longest })).info.count).toBe(1);
  });

  it('deletes members and counts those removed, case-insensitively; absent ones are skipped', async () => {
    const address = await newList();
    await sendcloud(api, 'addressmember/add', { address, members: 'a@example.com;b@example.com;c@example.com' });
    const answer = await sendcloud(api, 'addressmember/delete', { address, members: 'a@example.com;C@example.com;zz@example.com' });
    expect(answer).toMatchObject({ result: true, info: { count: 2 } });
    const left = await sendcloud(api, 'addressmember/list', { address });
    expect(left.info).toMatchObject({ total: 1, dataList: [{ member: 'b@example.com' }] });
  });

  it('updates a member to a new address with new vars in place (it keeps its position); newMembers must pair with members (40518)', async () => {
    const address = await newList();
    await sendcloud(api, 'addressmember/add', { address, members: 'a@example.com;b@example.com;c@example.com', vars: '{"k":"1"};{"k":"2"};{"k":"3"}' });
    const answer = await sendcloud(api, 'addressmember/update', { address, members: 'b@example.com', newMembers: 'x@example.com', vars: '{"k":"9"}' });
    expect(answer).toMatchObject({ result: true, info: { count: 1 } });
    const listed = await sendcloud(api, 'addressmember/list', { address });
    expect(listed.info.dataList.map((m: { member: string; vars: string }) => [m.member, m.vars])).toEqual([
      ['a@example.com', '{"k":"1"}'],
      ['x@example.com', '{"k":"9"}'],
      ['c@example.com', '{"k":"3"}'],
    ]);
    expect(await codeOf(api, 'addressmember/update', { address, members: 'b@example.com', newMembers: 'p@example.com;q@example.com' })).toBe(40518);
  });

  it("answers 40516 and leaves every member unchanged when an update carries vars names other than the list's", async () => {
    const address = await newList();
    await sendcloud(api, 'addressmember/add', { address, members: 'a@example.com;b@example.com', names: 'Ann;Ben', vars: '{"k":"1"};{"k":"2"}' });
    const before = (await sendcloud(api, 'addressmember/list', { address })).info;
    const refused = await sendcloud(api, 'addressmember/update', {
      address,
      members: 'a@example.com;b@example.com',
      newMembers: 'a2@example.com;b@example.com',
      vars: '{"k":"5"};{"other":"6"}',
    });
    expect(refused).toMatchObject({ result: false, statusCode: 40516 });
    expect((await sendcloud(api, 'addressmember/list', { address })).info).toEqual(before);
  });

  it('counts 0 and keeps both members when a member is renamed to an address another member has', async () => {
    const address = await newList();
    await sendcloud(api, 'addressmember/add', { address, members: 'a@example.com;b@example.com' });
    const answer = await sendcloud(api, 'addressmember/update', { address, members: 'a@example.com', newMembers: 'B@example.com' });
    expect(answer).toMatchObject({ result: true, info: { count: 0 } });
    const listed = await sendcloud(api, 'addressmember/list', { address });
    expect(listed.info.dataList.map((m: { member: string }) => m.member)).toEqual(['a@example.com', 'b@example.com']);
  });

  it('shows SendCloud members in DirectMail with their variables, and DirectMail members in SendCloud', async () => {
    const pop = popClient(target);
    const address = await newList();
    const listId = (await api.deps.engine.receivers.list({ offset: 0, limit: 100 })).items.find((l) => l.alias === address)?.id;
    await sendcloud(api, 'addressmember/add', { address, members: 'ben@example.com', vars: '{"money":"99"}' });
    const detail = (await pop.request('QueryReceiverDetail', { ReceiverId: String(listId), PageSize: 10 }, 'POST')) as {
      DataSchema: string;
      data: { detail: { Email: string; Data: string }[] };
    };
    expect(detail.DataSchema).toBe('money');
    expect(detail.data.detail).toMatchObject([{ Email: 'ben@example.com', Data: '99' }]);

    const dmAlias = `d${unique()}@ml.example.org`;
    const { ReceiverId } = (await pop.request('CreateReceiver', { ReceiversName: `dm${unique()}`, ReceiversAlias: dmAlias }, 'POST')) as { ReceiverId: string };
    await pop.request('SaveReceiverDetail', { ReceiverId, Detail: JSON.stringify([{ e: 'joe@example.com', u: 'Joe' }]) }, 'POST');
    expect((await sendcloud(api, 'addressmember/list', { address: dmAlias })).info.dataList).toMatchObject([
      { member: 'joe@example.com', name: '', vars: '{"UserName":"Joe"}' },
    ]);
  });
});
