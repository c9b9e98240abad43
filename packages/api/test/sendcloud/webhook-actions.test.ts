import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';

describe('SendCloud webhook/*', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('adds a webhook for events by id or name, lists it, changes its events, url and category, and removes it event by event', async () => {
    const url = `https://hooks.example.com/${unique()}`;
    const added = await sendcloud(api, 'webhook/add', { url, categoryName: 'all', event: '1,open,18' });
    expect(added).toMatchObject({
      result: true,
      statusCode: 200,
      info: { data: { url, categoryName: 'all', event: '1,11,18', eventName: 'deliver,open,request' } },
    });

    expect((await sendcloud(api, 'webhook/list', { url })).info).toMatchObject({ count: 1, dataList: [{ url, categoryName: 'all', event: '1,11,18' }] });
    expect((await sendcloud(api, 'webhook/list', { url, event: '3' })).info.count).toBe(0);

    expect(await sendcloud(api, 'webhook/update', { url, categoryName: 'all', newEvent: '4,5' })).toMatchObject({ result: true, info: { count: 1 } });
    const newUrl = `https://hooks.example.com/${unique()}`;
    expect(await codeOf(api, 'webhook/update', { url, categoryName: 'all', newUrl })).toBe(200);
    expect(await codeOf(api, 'webhook/update', { url: newUrl, categoryName: 'all', newCategoryName: 'shop_user' })).toBe(200);
    expect((await sendcloud(api, 'webhook/list', { url: newUrl })).info.dataList).toMatchObject([{ categoryName: 'shop_user', event: '4,5' }]);

    expect(await sendcloud(api, 'webhook/delete', { url: newUrl, categoryName: 'shop_user', event: '4' })).toMatchObject({ result: true, info: { count: 1 } });
    expect((await sendcloud(api, 'webhook/list', { url: newUrl })).info.dataList).toMatchObject([{ event: '5' }]);
    await sendcloud(api, 'webhook/delete', { url: newUrl, categoryName: 'shop_user', event: 'soft_bounce' });
    expect((await sendcloud(api, 'webhook/list', { url: newUrl })).info.count).toBe(0);
  });

  it('answers 40701, 40702, 40703, 40704, 40705, 40706, 40708, 40709 and 40712 in their situations', async () => {
    const url = `https://hooks.example.com/${unique()}`;
    const other = `https://hooks.example.com/${unique()}`;
    expect(await codeOf(api, 'webhook/add', { url, event: '1' })).toBe(40701);
    expect(await codeOf(api, 'webhook/add', { url, categoryName: 'two words', event: '1' })).toBe(40702);
    expect(await codeOf(api, 'webhook/add', { url, categoryName: 'all' })).toBe(40703);
    expect(await codeOf(api, 'webhook/add', { url, categoryName: 'all', event: '2' })).toBe(40704);
    expect(await codeOf(api, 'webhook/add', { url, categoryName: 'all', event: 'bounce' })).toBe(40704);
    expect(await codeOf(api, 'webhook/add', { categoryName: 'all', event: '1' })).toBe(40705);
    expect(await codeOf(api, 'webhook/add', { url: 'ftp://hooks.example.com/x', categoryName: 'all', event: '1' })).toBe(40706);
    expect(await codeOf(api, 'webhook/add', { url: 'not a url', categoryName: 'all', event: '1' })).toBe(40706);
    expect(await codeOf(api, 'webhook/add', { url, categoryName: 'all', event: '1' })).toBe(200);
    expect(await codeOf(api, 'webhook/add', { url, categoryName: 'all', event: '3' })).toBe(40708);
    expect(await codeOf(api, 'webhook/add', { url: other, categoryName: 'all', event: '3' })).toBe(200);
    expect(await codeOf(api, 'webhook/update', { url: other, categoryName: 'all', newUrl: url })).toBe(40708);
    expect(await codeOf(api, 'webhook/update', { url, categoryName: 'all' })).toBe(40712);
    expect(await codeOf(api, 'webhook/update', { url, categoryName: 'all', newUrl: other, newEvent: '1' })).toBe(40712);
    expect(await codeOf(api, 'webhook/update', { url, categoryName: 'nobody', newEvent: '1' })).toBe(40709);
    expect(await codeOf(api, 'webhook/delete', { url: `https://hooks.example.com/${unique()}`, categoryName: 'all', event: '1' })).toBe(40709);
  });

  it('keeps one configuration when the same url and category are added concurrently', async () => {
    const url = `https://hooks.example.com/${unique()}`;
    const codes = await Promise.all([1, 3, 4, 5].map((event) => codeOf(api, 'webhook/add', { url, categoryName: 'all', event: String(event) })));
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 40708)).toHaveLength(3);
    expect((await sendcloud(api, 'webhook/list', { url })).info.count).toBe(1);
  });
});
