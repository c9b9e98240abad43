import type { MailEvent } from '@postmill/core';
import type { SendCloudWebhook } from '@postmill/store';
import { describe, expect, it } from 'vitest';
import { deliveryIdOf, resolveEndpoints, sendCloudTargets } from './endpoint-resolver.ts';
import { retryDelayMs } from './webhook-worker.ts';

const event: MailEvent = { id: 'e1', kind: 'opened', at: 1, messageId: 'pm-1', recipient: 'r@x.example', sender: 's@y.example', apiUser: 'shop' };
const { apiUser: _apiUser, ...withoutApiUser } = event;
const config = (categoryName: string, url: string, events: number[]): SendCloudWebhook => ({ categoryName, url, events, createdAt: 0, updatedAt: 0 });

describe('endpoint resolution', () => {
  it('sends a SendCloud event to configurations of category all or of its API user that list its event id, each URL once', () => {
    const targets = sendCloudTargets(event, [
      config('all', 'https://a.example', [11]),
      config('shop', 'https://a.example', [11, 10]),
      config('shop', 'https://b.example', [10]),
      config('other', 'https://c.example', [11]),
      config('shop', 'https://d.example', [11]),
    ]);
    expect(targets).toEqual([
      { vendor: 'sendcloud', url: 'https://a.example' },
      { vendor: 'sendcloud', url: 'https://d.example' },
    ]);
    expect(sendCloudTargets(withoutApiUser, [config('shop', 'https://d.example', [11])])).toEqual([]);
  });

  it("uses Tencent's sender URL and DirectMail's NotifyUrl when they are http(s), and skips an MNS NotifyUrl", async () => {
    const endpoints = await resolveEndpoints(event, {
      tencentUrlFor: async () => 'http://t.example:8080/cb',
      aliyunUrlFor: async () => 'mns:cn-hangzhou',
      sendCloudWebhooks: async () => [],
    });
    expect(endpoints).toEqual([{ vendor: 'tencent', url: 'http://t.example:8080/cb' }]);
  });

  it('names a delivery by event, vendor and URL alone', () => {
    const a = deliveryIdOf('e1', { vendor: 'tencent', url: 'http://t.example' });
    expect(a).toMatch(/^wh-[0-9a-f]{32}$/u);
    expect(deliveryIdOf('e1', { vendor: 'tencent', url: 'http://t.example' })).toBe(a);
    expect(deliveryIdOf('e1', { vendor: 'aliyun', url: 'http://t.example' })).not.toBe(a);
    expect(deliveryIdOf('e2', { vendor: 'tencent', url: 'http://t.example' })).not.toBe(a);
  });

  it('waits the schedule delay of each retry and its last delay past its end', () => {
    const minutes = [1, 2, 4, 8, 16].map((m) => m * 60_000);
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, minutes))).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 960_000]);
  });
});
