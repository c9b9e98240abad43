import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('webhook settings', () => {
  it("default to SendCloud's 3 s timeout and 1, 2, 4, 8, 16 minute retries, private networks allowed, no key", () => {
    expect(parseConfig({}).webhooks).toEqual({
      timeoutMs: 3000,
      retryDelaysMs: [60_000, 120_000, 240_000, 480_000, 960_000],
      concurrency: 16,
      deadLetterRetentionMs: 30 * 86_400_000,
      allowPrivate: true,
      allowCidrs: [],
      denyCidrs: [],
      sendCloudWebhookKey: undefined,
    });
  });

  it('reads a schedule in seconds (fractions allowed), CIDR lists, the private switch and the SendCloud key', () => {
    const w = parseConfig({
      WEBHOOK_RETRY_DELAYS_SECONDS: '0.5, 2,10',
      WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8, ::1',
      WEBHOOK_DENY_CIDRS: '10.9.0.0/16',
      WEBHOOK_ALLOW_PRIVATE: 'false',
      SENDCLOUD_WEBHOOK_KEY: 'k3y',
    }).webhooks;
    expect(w).toMatchObject({
      retryDelaysMs: [500, 2000, 10_000],
      allowCidrs: ['127.0.0.0/8', '::1'],
      denyCidrs: ['10.9.0.0/16'],
      allowPrivate: false,
      sendCloudWebhookKey: 'k3y',
    });
  });

  it('refuses a malformed schedule and names every CIDR that is not one', () => {
    expect(() => parseConfig({ WEBHOOK_RETRY_DELAYS_SECONDS: '1m,2m' })).toThrow(/WEBHOOK_RETRY_DELAYS_SECONDS/u);
    expect(() => parseConfig({ WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8,localhost', WEBHOOK_DENY_CIDRS: '10.0.0.0/40' })).toThrow(
      /WEBHOOK_ALLOW_CIDRS: not an address or CIDR: localhost[\s\S]*WEBHOOK_DENY_CIDRS: not an address or CIDR: 10\.0\.0\.0\/40/u,
    );
  });
});
