import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

const transports = {
  outbox: {},
  null: { MAIL_TRANSPORT: 'null' },
  smtp: { MAIL_TRANSPORT: 'smtp', SMTP_URL: 'smtp://relay.example.com:587' },
  'tencent-ses': { MAIL_TRANSPORT: 'tencent-ses', TENCENT_SES_SECRET_ID: 'id', TENCENT_SES_SECRET_KEY: 'key' },
  'aliyun-dm': { MAIL_TRANSPORT: 'aliyun-dm', ALIYUN_DM_ACCESS_KEY_ID: 'id', ALIYUN_DM_ACCESS_KEY_SECRET: 'secret' },
  sendcloud: { MAIL_TRANSPORT: 'sendcloud', SENDCLOUD_API_USER: 'user', SENDCLOUD_API_KEY: 'key' },
} as const;

const rateOf = (env: Record<string, string>) => parseConfig(env).sending.rate;

describe('send rate per transport', () => {
  it('defaults to 20/s for tencent-ses, aliyun-dm and sendcloud, 100/s for smtp (5 connections per worker), and no limit for the outbox and the null transport', () => {
    expect(rateOf(transports['tencent-ses'])).toEqual({ perSecond: 20, setting: 'TENCENT_SES_RATE_PER_SECOND', isDefault: true });
    expect(rateOf(transports['aliyun-dm'])).toEqual({ perSecond: 20, setting: 'ALIYUN_DM_RATE_PER_SECOND', isDefault: true });
    expect(rateOf(transports.sendcloud)).toEqual({ perSecond: 20, setting: 'SENDCLOUD_RATE_PER_SECOND', isDefault: true });
    expect(rateOf(transports.smtp)).toEqual({ perSecond: 100, setting: 'SMTP_RATE_PER_SECOND', isDefault: true });
    expect(parseConfig(transports.smtp).transport).toMatchObject({ kind: 'smtp', maxConnections: 5 });
    expect(rateOf(transports.outbox)).toEqual({ perSecond: 'unlimited', setting: 'OUTBOX_RATE_PER_SECOND', isDefault: true });
    expect(rateOf(transports.null)).toEqual({ perSecond: 'unlimited', setting: 'NULL_RATE_PER_SECOND', isDefault: true });
  });

  it("reads the selected transport's own variable and ignores the other transports' variables", () => {
    const all = {
      TENCENT_SES_RATE_PER_SECOND: '50',
      ALIYUN_DM_RATE_PER_SECOND: '30',
      SENDCLOUD_RATE_PER_SECOND: '12',
      SMTP_RATE_PER_SECOND: '14',
      OUTBOX_RATE_PER_SECOND: '300',
      NULL_RATE_PER_SECOND: '7',
    };
    expect(rateOf({ ...transports['tencent-ses'], ...all })).toEqual({ perSecond: 50, setting: 'TENCENT_SES_RATE_PER_SECOND', isDefault: false });
    expect(rateOf({ ...transports['aliyun-dm'], ...all })).toEqual({ perSecond: 30, setting: 'ALIYUN_DM_RATE_PER_SECOND', isDefault: false });
    expect(rateOf({ ...transports.sendcloud, ...all })).toEqual({ perSecond: 12, setting: 'SENDCLOUD_RATE_PER_SECOND', isDefault: false });
    expect(rateOf({ ...transports.smtp, ...all })).toEqual({ perSecond: 14, setting: 'SMTP_RATE_PER_SECOND', isDefault: false });
    expect(rateOf({ ...transports.outbox, ...all })).toEqual({ perSecond: 300, setting: 'OUTBOX_RATE_PER_SECOND', isDefault: false });
    expect(rateOf({ ...transports.null, ...all })).toEqual({ perSecond: 7, setting: 'NULL_RATE_PER_SECOND', isDefault: false });
  });

  it("lets SEND_RATE_PER_SECOND override every transport's own variable and default, as it did before per-transport settings", () => {
    for (const env of Object.values(transports)) {
      expect(
        rateOf({ ...env, SEND_RATE_PER_SECOND: '20', TENCENT_SES_RATE_PER_SECOND: '50', SMTP_RATE_PER_SECOND: '14', OUTBOX_RATE_PER_SECOND: '3' }),
      ).toEqual({
        perSecond: 20,
        setting: 'SEND_RATE_PER_SECOND',
        isDefault: false,
      });
    }
  });

  it('reads 0 and unlimited (any case, spaces trimmed) as no limit, fractions as they are, and an empty value as unset', () => {
    expect(rateOf({ ...transports['tencent-ses'], TENCENT_SES_RATE_PER_SECOND: '0' }).perSecond).toBe('unlimited');
    expect(rateOf({ ...transports.smtp, SMTP_RATE_PER_SECOND: ' Unlimited ' }).perSecond).toBe('unlimited');
    expect(rateOf({ ...transports.smtp, SEND_RATE_PER_SECOND: 'UNLIMITED', SMTP_RATE_PER_SECOND: '14' })).toEqual({
      perSecond: 'unlimited',
      setting: 'SEND_RATE_PER_SECOND',
      isDefault: false,
    });
    expect(rateOf({ ...transports.smtp, SMTP_RATE_PER_SECOND: '0.5' }).perSecond).toBe(0.5);
    expect(rateOf({ ...transports.smtp, SEND_RATE_PER_SECOND: '', SMTP_RATE_PER_SECOND: '' })).toEqual({
      perSecond: 100,
      setting: 'SMTP_RATE_PER_SECOND',
      isDefault: true,
    });
  });

  it('refuses a negative, non-numeric or infinite rate, naming the variable', () => {
    for (const [name, value] of [
      ['SEND_RATE_PER_SECOND', '-1'],
      ['SMTP_RATE_PER_SECOND', 'fast'],
      ['TENCENT_SES_RATE_PER_SECOND', 'Infinity'],
      ['OUTBOX_RATE_PER_SECOND', '1e999'],
      ['NULL_RATE_PER_SECOND', '20/s'],
    ] as const) {
      let thrown: unknown;
      try {
        parseConfig({ [name]: value });
      } catch (err) {
        thrown = err;
      }
      expect(thrown, `${name}=${value}`).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).problems).toEqual([`${name}: a positive number of requests per second, or 0 / unlimited for no limit`]);
    }
  });
});
