import { ManualClock } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2026-03-15 10:00:00 in Asia/Shanghai (02:00 UTC).
const NOW = Date.UTC(2026, 2, 15, 2, 0, 0);
const DAY = 86_400_000;
// 2026-03-15 23:59:59 in Asia/Shanghai.
const LAST_SECOND_OF_15TH = Date.UTC(2026, 2, 15, 15, 59, 59);

interface Detail {
  Id: number;
  Email: string;
  CreateTime: string;
  ExpireDate: string;
  Status: number;
}

describe('Tencent custom blacklist actions', () => {
  let clock: ManualClock;
  let api: ApiHarness;

  beforeEach(async () => {
    clock = new ManualClock(NOW);
    api = await startApiHarness({ clock, limits: { maxReceiverUpload: 5, maxPageLimit: 100 } });
  });
  afterEach(async () => {
    await api.close();
  });

  async function list(query: Record<string, unknown> = {}): Promise<{ TotalCount: number; Data: Detail[] }> {
    const res = ok(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 100, ...query }));
    return res as unknown as { TotalCount: number; Data: Detail[] };
  }

  it('answers only the exact, case-sensitive action names (Blacklist for Create/List, BlackList for Update/Delete)', async () => {
    for (const wrong of ['CreateCustomBlackList', 'ListCustomBlackList', 'UpdateCustomBlacklist', 'DeleteCustomBlacklist', 'createCustomBlacklist']) {
      expect(errorCode(await api.call(wrong, { Emails: ['a@x.com'] }))).toBe('InvalidAction');
    }
    ok(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com'] }));
    ok(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 10, Status: 2 }));
    ok(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'b@x.com' }));
    ok(await api.call('DeleteCustomBlackList', { Emails: ['b@x.com'] }));
  });

  describe('CreateCustomBlacklist', () => {
    it("answers Tencent's example counts: one valid, one repeat, one invalid", async () => {
      expect(ok(await api.call('CreateCustomBlacklist', { Emails: ['resrse@sdasd.com', 'resrse@sdasd.com', 'asdasdasdasd'] }))).toEqual({
        TotalCount: 3,
        ValidCount: 1,
        TooLongCount: 0,
        RepeatCount: 1,
        InvalidCount: 1,
        RequestId: expect.any(String),
      });
    });

    it('counts an address longer than 254 characters as TooLongCount and one already blacklisted as RepeatCount', async () => {
      ok(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com'] }));
      const long = `${'l'.repeat(60)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(20)}.com`;
      expect(long.length).toBeGreaterThan(254);
      expect(ok(await api.call('CreateCustomBlacklist', { Emails: ['a@X.com', long, 'b@x.com'] }))).toMatchObject({
        TotalCount: 3,
        ValidCount: 1,
        TooLongCount: 1,
        RepeatCount: 1,
        InvalidCount: 0,
      });
    });

    it('stores ExpireDate as the last blocking day and blocks sending through it', async () => {
      ok(await api.call('CreateCustomBlacklist', { ExpireDate: '2026-03-15', Emails: ['b@gmail.com', 'a@gmail.com'] }));
      expect(await list()).toEqual({
        TotalCount: 2,
        Data: [
          { Id: 1, Email: 'b@gmail.com', CreateTime: '2026-03-15 10:00:00', ExpireDate: '2026-03-15', Status: 1 },
          { Id: 2, Email: 'a@gmail.com', CreateTime: '2026-03-15 10:00:00', ExpireDate: '2026-03-15', Status: 1 },
        ],
        RequestId: expect.any(String),
      });
      expect(await api.deps.blacklist.blockedAmong(['a@gmail.com', 'c@gmail.com'])).toEqual(new Set(['a@gmail.com']));
      clock.set(LAST_SECOND_OF_15TH + 1000);
      expect(await api.deps.blacklist.blockedAmong(['a@gmail.com'])).toEqual(new Set());
    });

    it('refuses a malformed ExpireDate or one before today with InvalidParameterValue.WrongDate, and takes "" as no expiry', async () => {
      for (const ExpireDate of ['2026/03/20', '2026-13-01', '2026-03-14']) {
        expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com'], ExpireDate }))).toBe('InvalidParameterValue.WrongDate');
      }
      ok(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com'], ExpireDate: '' }));
      expect((await list()).Data[0]?.ExpireDate).toBe('');
    });

    it('refuses an empty Emails with MissingParameter.EmailsNecessary and too many with LimitExceeded.ReceiverDetailRequestLimit', async () => {
      expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: [] }))).toBe('MissingParameter.EmailsNecessary');
      const six = Array.from({ length: 6 }, (_, i) => `u${i}@x.com`);
      expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: six }))).toBe('LimitExceeded.ReceiverDetailRequestLimit');
      expect((await list()).TotalCount).toBe(0);
    });

    it('answers MissingParameter, InvalidParameter and UnknownParameter for malformed requests', async () => {
      expect(errorCode(await api.call('CreateCustomBlacklist', {}))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: 'a@x.com' }))).toBe('InvalidParameter');
      expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com'], ExpireDate: 20260320 }))).toBe('InvalidParameter');
      expect(errorCode(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com'], Expire: '2026-03-20' }))).toBe('UnknownParameter');
    });
  });

  describe('ListCustomBlacklist', () => {
    beforeEach(async () => {
      ok(await api.call('CreateCustomBlacklist', { Emails: ['keep@one.com', 'keep@two.com'] }));
      ok(await api.call('CreateCustomBlacklist', { Emails: ['soon@one.com'], ExpireDate: '2026-03-15' }));
      ok(await api.call('CreateCustomBlacklist', { Emails: ['later@one.com'], ExpireDate: '2026-03-17' }));
    });

    it('pages with Offset and Limit and reports the total; Status defaults to 2 (all)', async () => {
      const page = await list({ Offset: 1, Limit: 2 });
      expect(page.TotalCount).toBe(4);
      expect(page.Data.map((d) => d.Id)).toEqual([2, 3]);
      expect((await list({ Offset: 0, Limit: 0 })).Data).toEqual([]);
    });

    it('filters Status 0 (expired) and 1 (active) as the days pass', async () => {
      expect((await list({ Status: 0 })).TotalCount).toBe(0);
      clock.set(LAST_SECOND_OF_15TH + 1000);
      expect((await list({ Status: 0 })).Data.map((d) => [d.Email, d.Status])).toEqual([['soon@one.com', 0]]);
      expect((await list({ Status: 1 })).Data.map((d) => d.Email)).toEqual(['keep@one.com', 'keep@two.com', 'later@one.com']);
      clock.advance(2 * DAY);
      expect((await list({ Status: 1 })).Data.map((d) => d.Email)).toEqual(['keep@one.com', 'keep@two.com']);
      expect((await list({ Status: 2 })).Data.map((d) => d.Status)).toEqual([1, 1, 0, 0]);
    });

    it('filters by a case-insensitive part of the address', async () => {
      expect((await list({ Email: 'ONE.COM' })).Data.map((d) => d.Email)).toEqual(['keep@one.com', 'soon@one.com', 'later@one.com']);
      expect(await list({ Email: 'keep@two.com', Status: 1 })).toMatchObject({ TotalCount: 1, Data: [{ Id: 2, Email: 'keep@two.com' }] });
      expect((await list({ Email: '' })).TotalCount).toBe(4);
    });

    it('refuses Limit above 100 with FailedOperation.InvalidLimit and a Status outside 0-2 with InvalidParameterValue', async () => {
      expect(errorCode(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
      expect(errorCode(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 10, Status: 3 }))).toBe('InvalidParameterValue');
      expect(errorCode(await api.call('ListCustomBlacklist', { Offset: 0, Limit: 10, Status: '1' }))).toBe('InvalidParameter');
      expect(errorCode(await api.call('ListCustomBlacklist', { Limit: 10 }))).toBe('MissingParameter');
      expect(errorCode(await api.call('ListCustomBlacklist', { Offset: -1, Limit: 10 }))).toBe('InvalidParameterValue');
    });
  });

  describe('UpdateCustomBlackList', () => {
    beforeEach(async () => {
      ok(await api.call('CreateCustomBlacklist', { Emails: ['a@x.com', 'b@x.com'], ExpireDate: '2026-03-16' }));
    });

    it("changes the address and expiry of an entry, keeping its Id and CreateTime (Tencent's example)", async () => {
      clock.advance(DAY);
      expect(ok(await api.call('UpdateCustomBlackList', { Id: 1, ExpireDate: '2026-06-19', Email: 'c@gmail.com' }))).toEqual({ RequestId: expect.any(String) });
      expect((await list()).Data[0]).toEqual({ Id: 1, Email: 'c@gmail.com', CreateTime: '2026-03-15 10:00:00', ExpireDate: '2026-06-19', Status: 1 });
      expect(await api.deps.blacklist.blockedAmong(['a@x.com', 'c@gmail.com'])).toEqual(new Set(['c@gmail.com']));
    });

    it('makes an entry permanent when ExpireDate is absent or empty, reactivating an expired one', async () => {
      clock.advance(2 * DAY);
      expect((await list({ Status: 0 })).TotalCount).toBe(2);
      ok(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'a@x.com' }));
      ok(await api.call('UpdateCustomBlackList', { Id: 2, Email: 'b@x.com', ExpireDate: '' }));
      expect((await list()).Data.map((d) => [d.ExpireDate, d.Status])).toEqual([
        ['', 1],
        ['', 1],
      ]);
    });

    it('answers ResourceNotFound for an unknown Id', async () => {
      expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 99, Email: 'z@x.com' }))).toBe('ResourceNotFound');
    });

    it('refuses a malformed address with InvalidParameterValue.IllegalEmailAddress and a bad date with InvalidParameterValue.WrongDate', async () => {
      expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'not-an-address' }))).toBe('InvalidParameterValue.IllegalEmailAddress');
      expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'a@x.com', ExpireDate: '19-06-2026' }))).toBe('InvalidParameterValue.WrongDate');
      expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'a@x.com', ExpireDate: '2026-03-14' }))).toBe('InvalidParameterValue.WrongDate');
      expect((await list()).Data[0]).toMatchObject({ Email: 'a@x.com', ExpireDate: '2026-03-16' });
    });

    it('refuses the address of another entry with FailedOperation.EmailAddrInBlacklist', async () => {
      expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 1, Email: 'b@X.COM' }))).toBe('FailedOperation.EmailAddrInBlacklist');
      expect((await list()).Data.map((d) => d.Email)).toEqual(['a@x.com', 'b@x.com']);
    });

    it('answers MissingParameter without Email or Id', async () => {
      expect(errorCode(await api.call('UpdateCustomBlackList', { Id: 1 }))).toBe('MissingParameter');
      expect(errorCode(await api.call('UpdateCustomBlackList', { Email: 'a@x.com' }))).toBe('MissingParameter');
    });
  });

  describe('DeleteCustomBlackList', () => {
    it("removes the given addresses (Tencent's example) and ignores addresses not in the blacklist", async () => {
      ok(await api.call('CreateCustomBlacklist', { Emails: ['a@gmail.com', 'b@gmail.com', 'c@gmail.com'] }));
      expect(ok(await api.call('DeleteCustomBlackList', { Emails: ['b@gmail.com', 'a@GMAIL.com', 'nobody@gmail.com'] }))).toEqual({
        RequestId: expect.any(String),
      });
      expect((await list()).Data.map((d) => d.Email)).toEqual(['c@gmail.com']);
      expect(await api.deps.blacklist.blockedAmong(['a@gmail.com', 'c@gmail.com'])).toEqual(new Set(['c@gmail.com']));
    });

    it('refuses an empty Emails with MissingParameter.EmailsNecessary and too many with LimitExceeded.ReceiverDetailRequestLimit', async () => {
      expect(errorCode(await api.call('DeleteCustomBlackList', { Emails: [] }))).toBe('MissingParameter.EmailsNecessary');
      const six = Array.from({ length: 6 }, (_, i) => `u${i}@x.com`);
      expect(errorCode(await api.call('DeleteCustomBlackList', { Emails: six }))).toBe('LimitExceeded.ReceiverDetailRequestLimit');
      expect(errorCode(await api.call('DeleteCustomBlackList', {}))).toBe('MissingParameter');
    });
  });
});
