import { ManualClock } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

// 2023-11-14 22:13:20 UTC = 2023-11-15 06:13:20 in Asia/Shanghai (the harness zone).
const START_MS = 1_700_000_000_000;

describe('Tencent receiver-list actions', () => {
  let api: ApiHarness;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(START_MS);
    api = await startApiHarness({ clock, limits: { maxReceiverListSize: 6, maxReceiverUpload: 5, maxReceiverTemplateDataBytes: 40 } });
  });
  afterEach(async () => {
    await api.close();
  });

  async function createList(name = 'list', desc?: string): Promise<number> {
    const res = ok(await api.call('CreateReceiver', desc === undefined ? { ReceiversName: name } : { ReceiversName: name, Desc: desc }));
    return res.ReceiverId as number;
  }

  describe('CreateReceiver', () => {
    it('creates lists with numeric ids counting up from 1, as in Tencent’s example', async () => {
      expect(ok(await api.call('CreateReceiver', { ReceiversName: '收件人列表名称', Desc: '列表描述' }))).toEqual({
        ReceiverId: 1,
        RequestId: expect.any(String),
      });
      expect(await createList('second')).toBe(2);
    });

    it('refuses a name already used with InvalidParameterValue.RepeatReceiverName', async () => {
      await createList('dup');
      expect(errorCode(await api.call('CreateReceiver', { ReceiversName: 'dup' }))).toBe('InvalidParameterValue.RepeatReceiverName');
    });

    it('refuses an empty, blank, over-long or markup name with InvalidParameterValue.ReceiverNameIllegal', async () => {
      ok(await api.call('CreateReceiver', { ReceiversName: '名'.repeat(100) }));
      for (const ReceiversName of ['', '  ', 'n'.repeat(101), 'a\nb', '<b>x</b>']) {
        expect(errorCode(await api.call('CreateReceiver', { ReceiversName }))).toBe('InvalidParameterValue.ReceiverNameIllegal');
      }
    });

    it('refuses a description over 300 characters or with control characters or markup with InvalidParameterValue.ReceiverDescIllegal', async () => {
      ok(await api.call('CreateReceiver', { ReceiversName: 'a', Desc: 'd'.repeat(300) }));
      for (const Desc of ['d'.repeat(301), 'tab\there', '<script>']) {
        expect(errorCode(await api.call('CreateReceiver', { ReceiversName: 'b', Desc }))).toBe('InvalidParameterValue.ReceiverDescIllegal');
      }
    });

    it('answers MissingParameter, UnknownParameter and InvalidParameter for malformed requests', async () => {
      expect(errorCode(await api.call('CreateReceiver', {}))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateReceiver', { ReceiversName: 'x', Extra: 1 }))).toBe('UnknownParameter');
      expect(errorCode(await api.call('CreateReceiver', { ReceiversName: 5 }))).toBe('InvalidParameter');
    });
  });

  describe('CreateReceiverDetail', () => {
    it('answers Tencent’s counters: one repeat, one valid, as in the official example', async () => {
      const id = await createList();
      expect(ok(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['example@gmail.com', 'Example@GMAIL.com'] }))).toEqual({
        TotalCount: 2,
        ValidCount: 1,
        TooLongCount: 0,
        EmptyEmailCount: 0,
        RepeatCount: 1,
        InvalidCount: 0,
        InvalidEmails: [],
        RequestId: expect.any(String),
      });
    });

    it('stores the valid addresses and reports every refused one with its index and reason', async () => {
      const id = await createList();
      const long = `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.com`;
      const res = ok(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['a@x.com', '', long, 'nope', 'a@x.com'] }));
      expect(res).toMatchObject({ TotalCount: 5, ValidCount: 1, TooLongCount: 1, EmptyEmailCount: 1, RepeatCount: 1, InvalidCount: 3 });
      expect(res.InvalidEmails).toEqual([
        { Index: 1, Email: '', Reason: 'EmptyEmail', Message: 'the email address is empty' },
        { Index: 2, Email: long, Reason: 'TooLong', Message: 'the email address has more than 254 characters' },
        { Index: 3, Email: 'nope', Reason: 'InvalidEmail', Message: 'not a valid email address' },
      ]);
    });

    it('refuses a call whose every address is invalid with InvalidParameterValue.ReceiverEmailInvalid and stores nothing', async () => {
      const id = await createList();
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['nope', ''] }))).toBe('InvalidParameterValue.ReceiverEmailInvalid');
      expect(ok(await api.call('ListReceivers', { Offset: 0, Limit: 10 })).Data).toEqual([expect.objectContaining({ Count: 0, InvalidCount: 0 })]);
    });

    it('refuses more addresses than the per-call limit with LimitExceeded.ReceiverDetailRequestLimit', async () => {
      const id = await createList();
      const Emails = Array.from({ length: 6 }, (_, i) => `u${i}@x.com`);
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails }))).toBe('LimitExceeded.ReceiverDetailRequestLimit');
    });

    it('refuses a call that would take the list past its size limit with LimitExceeded.ReceiverDetailCountLimit, adding nothing', async () => {
      const id = await createList();
      ok(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'] }));
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['e@x.com', 'f@x.com', 'g@x.com'] }))).toBe(
        'LimitExceeded.ReceiverDetailCountLimit',
      );
      expect(ok(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['a@x.com', 'e@x.com', 'f@x.com'] }))).toMatchObject({
        ValidCount: 2,
        RepeatCount: 1,
      });
    });

    it('answers OperationDenied.ReceiverNotExist, MissingParameter.ReceiverIdNecessary and MissingParameter.EmailsNecessary', async () => {
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: 404, Emails: ['a@x.com'] }))).toBe('OperationDenied.ReceiverNotExist');
      expect(errorCode(await api.call('CreateReceiverDetail', { Emails: ['a@x.com'] }))).toBe('MissingParameter.ReceiverIdNecessary');
      const id = await createList();
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: [] }))).toBe('MissingParameter.EmailsNecessary');
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: id }))).toBe('MissingParameter.EmailsNecessary');
      expect(errorCode(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: [1] }))).toBe('InvalidParameter');
    });
  });

  describe('CreateReceiverDetailWithData', () => {
    it('stores addresses with their TemplateData, as in Tencent’s example', async () => {
      const id = await createList();
      const res = ok(
        await api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [{ Email: 'example@gmail.com', TemplateData: '{"name":"john","age":"12"}' }] }),
      );
      expect(res).toMatchObject({ TotalCount: 1, ValidCount: 1, RepeatCount: 0, InvalidCount: 0 });
      expect(await api.deps.receivers.readRange(id, 0, 1)).toEqual([{ index: 0, email: 'example@gmail.com', templateData: { name: 'john', age: '12' } }]);
    });

    it('refuses bad TemplateData per entry with its reason and a message naming the limit or the expected variables, and with the Tencent code when every entry is refused', async () => {
      const id = await createList();
      const res = ok(
        await api.call('CreateReceiverDetailWithData', {
          ReceiverId: id,
          Datas: [
            { Email: 'a@x.com', TemplateData: '{"name":"A"}' },
            { Email: 'b@x.com', TemplateData: 'not json' },
            { Email: 'c@x.com', TemplateData: `{"name":"${'c'.repeat(40)}"}` },
            { Email: 'd@x.com', TemplateData: '{"name":"<a href=x>D</a>"}' },
            { Email: 'e@x.com', TemplateData: '{"nick":"E"}' },
          ],
        }),
      );
      expect(res).toMatchObject({ ValidCount: 1, InvalidCount: 4 });
      expect((res.InvalidEmails as { Reason: string }[]).map((r) => r.Reason)).toEqual([
        'TemplateDataError',
        'TemplateDataLenLimit',
        'InValidTemplateData',
        'TemplateDataInconsistent',
      ]);
      expect((res.InvalidEmails as { Message: string }[]).map((r) => r.Message).slice(1)).toEqual([
        'TemplateData is 51 bytes; the limit is 40 (RECEIVER_TEMPLATE_DATA_MAX_BYTES)',
        'the value of "name" contains HTML',
        'missing variables: name; unexpected variables: nick (the list expects name)',
      ]);
      const only = (TemplateData: string) => api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [{ Email: 'z@x.com', TemplateData }] });
      expect(errorCode(await only('[1]'))).toBe('InvalidParameterValue.TemplateDataError');
      expect(errorCode(await only(`{"name":"${'z'.repeat(40)}"}`))).toBe('InvalidParameterValue.TemplateDataLenLimit');
      expect(errorCode(await only('{"name":"<b>z</b>"}'))).toBe('InvalidParameterValue.InValidTemplateData');
      expect(errorCode(await only('{"other":"z"}'))).toBe('InvalidParameterValue.TemplateDataInconsistent');
      expect(errorCode(await api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [{ Email: 'bad', TemplateData: '{"name":"z"}' }] }))).toBe(
        'InvalidParameterValue.ReceiverEmailInvalid',
      );
    });

    it('requires TemplateData in every entry, as Tencent’s schema does', async () => {
      const id = await createList();
      expect(errorCode(await api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [{ Email: 'a@x.com' }] }))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [] }))).toBe('MissingParameter.EmailsNecessary');
    });
  });

  describe('ListReceivers', () => {
    it('lists ReceiverData in creation order with status 1 for an empty list and 3 once it holds addresses', async () => {
      const a = await createList('first', 'some description');
      clock.advance(5000);
      await createList('second');
      ok(await api.call('CreateReceiverDetail', { ReceiverId: a, Emails: ['a@x.com', 'bad'] }));
      expect(ok(await api.call('ListReceivers', { Offset: 0, Limit: 10 }))).toEqual({
        TotalCount: 2,
        Data: [
          { ReceiverId: 1, ReceiversName: 'first', Count: 1, Desc: 'some description', ReceiversStatus: 3, CreateTime: '2023-11-15 06:13:20', InvalidCount: 1 },
          { ReceiverId: 2, ReceiversName: 'second', Count: 0, Desc: '', ReceiversStatus: 1, CreateTime: '2023-11-15 06:13:25', InvalidCount: 0 },
        ],
        RequestId: expect.any(String),
      });
    });

    it('filters by Status and a fuzzy KeyWord and pages with Offset and Limit', async () => {
      for (const name of ['Spring news', 'autumn', 'NEWS winter']) await createList(name);
      ok(await api.call('CreateReceiverDetail', { ReceiverId: 3, Emails: ['a@x.com'] }));
      const names = (res: Record<string, unknown>) => (res.Data as { ReceiversName: string }[]).map((d) => d.ReceiversName);
      expect(names(ok(await api.call('ListReceivers', { Offset: 0, Limit: 10, KeyWord: 'news' })))).toEqual(['Spring news', 'NEWS winter']);
      expect(names(ok(await api.call('ListReceivers', { Offset: 0, Limit: 10, Status: 1 })))).toEqual(['Spring news', 'autumn']);
      expect(ok(await api.call('ListReceivers', { Offset: 0, Limit: 10, Status: 2 }))).toMatchObject({ TotalCount: 0, Data: [] });
      expect(ok(await api.call('ListReceivers', { Offset: 1, Limit: 1 }))).toMatchObject({ TotalCount: 3, Data: [{ ReceiversName: 'autumn' }] });
    });

    it('refuses a Limit above 100 with FailedOperation.InvalidLimit and requires Offset and Limit', async () => {
      expect(errorCode(await api.call('ListReceivers', { Offset: 0, Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
      expect(errorCode(await api.call('ListReceivers', { Limit: 10 }))).toBe('MissingParameter');
      expect(errorCode(await api.call('ListReceivers', { Offset: 0, Limit: 10, Status: 4 }))).toBe('InvalidParameterValue');
    });
  });

  describe('ListReceiverDetails', () => {
    it('pages valid addresses then refused ones, with creation times, TemplateData, reasons and the list counters', async () => {
      const id = await createList();
      ok(await api.call('CreateReceiverDetailWithData', { ReceiverId: id, Datas: [{ Email: 'abc@cd.com', TemplateData: '{"name":1}' }] }));
      clock.advance(86_400_000);
      ok(
        await api.call('CreateReceiverDetailWithData', {
          ReceiverId: id,
          Datas: [
            { Email: 'xyz@cd.com', TemplateData: '{"name":"2"}' },
            { Email: 'bad', TemplateData: '{"name":"3"}' },
          ],
        }),
      );
      expect(ok(await api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 10 }))).toEqual({
        TotalCount: 3,
        Data: [
          { Email: 'abc@cd.com', CreateTime: '2023-11-15 06:13:20', TemplateData: '{"name":"1"}', Reason: '', Status: 1, EmailId: 1 },
          { Email: 'xyz@cd.com', CreateTime: '2023-11-16 06:13:20', TemplateData: '{"name":"2"}', Reason: '', Status: 1, EmailId: 2 },
          { Email: 'bad', CreateTime: '2023-11-16 06:13:20', TemplateData: '', Reason: 'InvalidEmail', Status: 2, EmailId: 0 },
        ],
        ValidCount: 2,
        InvalidCount: 1,
        RequestId: expect.any(String),
      });
      const page = (body: Record<string, unknown>) => api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 10, ...body });
      const emails = (res: Record<string, unknown>) => (res.Data as { Email: string }[]).map((d) => d.Email);
      expect(emails(ok(await page({ Status: 2 })))).toEqual(['bad']);
      expect(emails(ok(await page({ Status: 1, Offset: 1 })))).toEqual(['xyz@cd.com']);
      expect(emails(ok(await page({ Email: 'XYZ' })))).toEqual(['xyz@cd.com']);
      expect(emails(ok(await page({ Email: 'abc@cd.com' })))).toEqual(['abc@cd.com']);
      expect(emails(ok(await page({ CreateTimeBegin: '2023-11-16' })))).toEqual(['xyz@cd.com', 'bad']);
      expect(emails(ok(await page({ CreateTimeEnd: '2023-11-15' })))).toEqual(['abc@cd.com']);
      expect(emails(ok(await page({ CreateTimeBegin: '2023-11-15 06:13:21', CreateTimeEnd: '2023-11-16 06:13:20', Status: 1 })))).toEqual(['xyz@cd.com']);
    });

    it('answers OperationDenied.ReceiverNotExist, FailedOperation.InvalidLimit and the time-format codes', async () => {
      expect(errorCode(await api.call('ListReceiverDetails', { ReceiverId: 9, Offset: 0, Limit: 10 }))).toBe('OperationDenied.ReceiverNotExist');
      const id = await createList();
      expect(errorCode(await api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
      expect(errorCode(await api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 10, CreateTimeBegin: '2024-02-30' }))).toBe(
        'InvalidParameter.InvalidStartTimeFormat',
      );
      expect(errorCode(await api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 10, CreateTimeEnd: '2024/08/14' }))).toBe(
        'InvalidParameter.InvalidEndTimeFormat',
      );
      expect(errorCode(await api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 10, Status: 3 }))).toBe('InvalidParameterValue');
      expect(errorCode(await api.call('ListReceiverDetails', { Offset: 0, Limit: 10 }))).toBe('MissingParameter.ReceiverIdNecessary');
    });
  });

  describe('DeleteReceiver', () => {
    it('deletes a list with its addresses, frees its name and answers OperationDenied.ReceiverNotExist afterwards', async () => {
      const id = await createList('gone');
      ok(await api.call('CreateReceiverDetail', { ReceiverId: id, Emails: ['a@x.com'] }));
      expect(ok(await api.call('DeleteReceiver', { ReceiverId: id }))).toEqual({ RequestId: expect.any(String) });
      expect(ok(await api.call('ListReceivers', { Offset: 0, Limit: 10 }))).toMatchObject({ TotalCount: 0, Data: [] });
      expect(errorCode(await api.call('ListReceiverDetails', { ReceiverId: id, Offset: 0, Limit: 10 }))).toBe('OperationDenied.ReceiverNotExist');
      expect(errorCode(await api.call('DeleteReceiver', { ReceiverId: id }))).toBe('OperationDenied.ReceiverNotExist');
      expect(await createList('gone')).toBe(id + 1);
    });

    it('answers MissingParameter.ReceiverIdNecessary without ReceiverId', async () => {
      expect(errorCode(await api.call('DeleteReceiver', {}))).toBe('MissingParameter.ReceiverIdNecessary');
    });
  });
});
