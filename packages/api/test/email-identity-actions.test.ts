import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

describe('Tencent sender-domain actions', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApiHarness();
  });
  afterEach(async () => {
    await api.close();
  });

  describe('CreateEmailIdentity', () => {
    it('creates a domain that may send at once and returns SPF, DKIM and DMARC records marked as not checked', async () => {
      const res = ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' }));
      expect(res).toEqual({
        IdentityType: 'DOMAIN',
        VerifiedForSendingStatus: true,
        DKIMOption: 0,
        Attributes: [
          { Type: 'TXT', SendDomain: 'mail.example.com', ExpectedValue: 'v=spf1 include:spf.postmill.invalid ~all', CurrentValue: '', Status: false },
          {
            Type: 'TXT',
            SendDomain: 'postmill._domainkey.mail.example.com',
            ExpectedValue: 'v=DKIM1; k=rsa; p=(generated when DKIM signing lands)',
            CurrentValue: '',
            Status: false,
          },
          { Type: 'TXT', SendDomain: '_dmarc.mail.example.com', ExpectedValue: 'v=DMARC1; p=none', CurrentValue: '', Status: false },
        ],
        RequestId: expect.any(String),
      });
    });

    it('keeps the DKIM option and tags it was created with and lower-cases the domain', async () => {
      const res = ok(
        await api.call('CreateEmailIdentity', { EmailIdentity: 'Mail.Example.COM', DKIMOption: 1, TagList: [{ TagKey: '部门', TagValue: '邮件' }] }),
      );
      expect(res.DKIMOption).toBe(1);
      const got = ok(await api.call('GetEmailIdentity', { EmailIdentity: 'mail.example.com' }));
      expect(got).toMatchObject({ DKIMOption: 1, TagList: [{ TagKey: '部门', TagValue: '邮件' }] });
    });

    it('refuses a malformed domain with InvalidParameterValue.InvalidEmailIdentity', async () => {
      for (const EmailIdentity of ['not a domain', 'example', 'example.com.', '-bad.example.com', '']) {
        expect(errorCode(await api.call('CreateEmailIdentity', { EmailIdentity }))).toBe('InvalidParameterValue.InvalidEmailIdentity');
      }
    });

    it('refuses a domain that already exists, in any case, with InvalidParameterValue.RepeatCreation', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com' }));
      expect(errorCode(await api.call('CreateEmailIdentity', { EmailIdentity: 'EXAMPLE.com' }))).toBe('InvalidParameterValue.RepeatCreation');
    });

    it('refuses a DKIMOption outside 0..2 with InvalidParameterValue', async () => {
      expect(errorCode(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com', DKIMOption: 3 }))).toBe('InvalidParameterValue');
    });

    it('answers MissingParameter without EmailIdentity and UnknownParameter for a field Tencent does not define', async () => {
      expect(errorCode(await api.call('CreateEmailIdentity', {}))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com', Verified: true }))).toBe('UnknownParameter');
      expect(errorCode(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com', TagList: [{ TagKey: 'k' }] }))).toBe('MissingParameter');
    });
  });

  describe('ListEmailIdentities', () => {
    it('lists every domain in creation order with Tencent fields and honest quota numbers', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'b.example.com', TagList: [{ TagKey: 'env', TagValue: 'prod' }] }));
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'a.example.com', DKIMOption: 2 }));
      const res = ok(await api.call('ListEmailIdentities', {}));
      expect(res).toEqual({
        EmailIdentities: [
          {
            IdentityName: 'b.example.com',
            IdentityType: 'DOMAIN',
            SendingEnabled: true,
            CurrentReputationLevel: 0,
            DailyQuota: Number.MAX_SAFE_INTEGER,
            SendIp: [],
            TagList: [{ TagKey: 'env', TagValue: 'prod' }],
            DKIMOption: 0,
          },
          {
            IdentityName: 'a.example.com',
            IdentityType: 'DOMAIN',
            SendingEnabled: true,
            CurrentReputationLevel: 0,
            DailyQuota: Number.MAX_SAFE_INTEGER,
            SendIp: [],
            TagList: [],
            DKIMOption: 2,
          },
        ],
        MaxReputationLevel: 0,
        MaxDailyQuota: Number.MAX_SAFE_INTEGER,
        Total: 2,
        RequestId: expect.any(String),
      });
    });

    it('pages with Offset and Limit while Total counts every domain', async () => {
      for (let i = 0; i < 5; i++) ok(await api.call('CreateEmailIdentity', { EmailIdentity: `d${i}.example.com` }));
      const res = ok(await api.call('ListEmailIdentities', { Offset: 1, Limit: 2 }));
      expect((res.EmailIdentities as { IdentityName: string }[]).map((i) => i.IdentityName)).toEqual(['d1.example.com', 'd2.example.com']);
      expect(res.Total).toBe(5);
    });

    it('keeps only domains carrying every requested tag, in the page and in Total', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'a.example.com', TagList: [{ TagKey: 'env', TagValue: 'prod' }] }));
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'b.example.com', TagList: [{ TagKey: 'env', TagValue: 'dev' }] }));
      ok(
        await api.call('CreateEmailIdentity', {
          EmailIdentity: 'c.example.com',
          TagList: [
            { TagKey: 'env', TagValue: 'prod' },
            { TagKey: 'team', TagValue: 'mail' },
          ],
        }),
      );
      const prod = ok(await api.call('ListEmailIdentities', { TagList: [{ TagKey: 'env', TagValue: 'prod' }] }));
      expect((prod.EmailIdentities as { IdentityName: string }[]).map((i) => i.IdentityName)).toEqual(['a.example.com', 'c.example.com']);
      expect(prod.Total).toBe(2);
      const both = ok(
        await api.call('ListEmailIdentities', {
          TagList: [
            { TagKey: 'env', TagValue: 'prod' },
            { TagKey: 'team', TagValue: 'mail' },
          ],
          Offset: 0,
          Limit: 1,
        }),
      );
      expect(both).toMatchObject({ Total: 1, EmailIdentities: [{ IdentityName: 'c.example.com' }] });
    });

    it('refuses a Limit above 100 with FailedOperation.InvalidLimit', async () => {
      expect(errorCode(await api.call('ListEmailIdentities', { Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
      ok(await api.call('ListEmailIdentities', { Limit: 100 }));
    });

    it('refuses a negative or fractional Offset', async () => {
      expect(errorCode(await api.call('ListEmailIdentities', { Offset: -1 }))).toBe('InvalidParameterValue');
      expect(errorCode(await api.call('ListEmailIdentities', { Offset: 1.5 }))).toBe('InvalidParameter');
    });
  });

  describe('GetEmailIdentity', () => {
    it('answers the verification view with the tags of the domain', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com', TagList: [{ TagKey: 'k', TagValue: 'v' }] }));
      const res = ok(await api.call('GetEmailIdentity', { EmailIdentity: 'Example.com' }));
      expect(res).toMatchObject({ IdentityType: 'DOMAIN', VerifiedForSendingStatus: true, DKIMOption: 0, TagList: [{ TagKey: 'k', TagValue: 'v' }] });
      expect(res.Attributes).toHaveLength(3);
    });

    it('answers InvalidParameterValue.NotExistDomain for a domain never created and InvalidEmailIdentity for a malformed one', async () => {
      expect(errorCode(await api.call('GetEmailIdentity', { EmailIdentity: 'nothing.example.com' }))).toBe('InvalidParameterValue.NotExistDomain');
      expect(errorCode(await api.call('GetEmailIdentity', { EmailIdentity: 'no domain' }))).toBe('InvalidParameterValue.InvalidEmailIdentity');
    });
  });

  describe('UpdateEmailIdentity', () => {
    it('re-answers the verification view, still unchecked, and records a new DKIMOption', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com' }));
      const res = ok(await api.call('UpdateEmailIdentity', { EmailIdentity: 'example.com', DKIMOption: 1, NewAPI: true }));
      expect(res).toMatchObject({ IdentityType: 'DOMAIN', VerifiedForSendingStatus: true, DKIMOption: 1 });
      expect((res.Attributes as { Status: boolean }[]).every((a) => a.Status === false)).toBe(true);
      expect(ok(await api.call('GetEmailIdentity', { EmailIdentity: 'example.com' })).DKIMOption).toBe(1);
      expect(ok(await api.call('UpdateEmailIdentity', { EmailIdentity: 'example.com' })).DKIMOption).toBe(1);
    });

    it('answers InvalidParameterValue.NotExistDomain for an unknown domain and does not create it', async () => {
      expect(errorCode(await api.call('UpdateEmailIdentity', { EmailIdentity: 'example.com', DKIMOption: 1 }))).toBe('InvalidParameterValue.NotExistDomain');
      expect(errorCode(await api.call('GetEmailIdentity', { EmailIdentity: 'example.com' }))).toBe('InvalidParameterValue.NotExistDomain');
    });
  });

  describe('DeleteEmailIdentity', () => {
    it('deletes a domain without sender addresses', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com' }));
      expect(ok(await api.call('DeleteEmailIdentity', { EmailIdentity: 'example.com' }))).toEqual({ RequestId: expect.any(String) });
      expect(errorCode(await api.call('GetEmailIdentity', { EmailIdentity: 'example.com' }))).toBe('InvalidParameterValue.NotExistDomain');
      expect(ok(await api.call('ListEmailIdentities', {})).Total).toBe(0);
    });

    it('refuses while sender addresses exist on the domain with OperationDenied.SenderWithDomainIsNotEmpty, and deletes once they are gone', async () => {
      ok(await api.call('CreateEmailIdentity', { EmailIdentity: 'example.com' }));
      ok(await api.call('CreateEmailAddress', { EmailAddress: 'news@example.com' }));
      expect(errorCode(await api.call('DeleteEmailIdentity', { EmailIdentity: 'example.com' }))).toBe('OperationDenied.SenderWithDomainIsNotEmpty');
      ok(await api.call('GetEmailIdentity', { EmailIdentity: 'example.com' }));
      ok(await api.call('DeleteEmailAddress', { EmailAddress: 'news@example.com' }));
      ok(await api.call('DeleteEmailIdentity', { EmailIdentity: 'example.com' }));
    });

    it('answers InvalidParameterValue.NotExistDomain for a domain never created', async () => {
      expect(errorCode(await api.call('DeleteEmailIdentity', { EmailIdentity: 'example.com' }))).toBe('InvalidParameterValue.NotExistDomain');
    });
  });
});
