import { ManualClock } from '@postmill/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './api-harness.ts';
import { errorCode, ok } from './tencent-answer.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

// Tencent's own example: "<html>this is a example {{code}}</html>".
const EXAMPLE_HTML = 'PGh0bWw+dGhpcyBpcyBhIGV4YW1wbGUge3tjb2RlfX08L2h0bWw+';

describe('Tencent template actions', () => {
  let api: ApiHarness;
  let clock: ManualClock;
  const startSeconds = Math.floor(Date.now() / 1000);

  beforeEach(async () => {
    clock = new ManualClock(startSeconds * 1000 + 999);
    api = await startApiHarness({ clock, limits: { maxTemplateBytes: 64 } });
  });
  afterEach(async () => {
    await api.close();
  });

  async function create(name: string, content: { Html?: string; Text?: string }): Promise<number> {
    const res = ok(await api.call('CreateEmailTemplate', { TemplateName: name, TemplateContent: content }));
    return res.TemplateID as number;
  }

  describe('CreateEmailTemplate and GetEmailTemplate', () => {
    it('creates an approved template with numeric id 1 and gives back the same base64 content', async () => {
      const res = ok(await api.call('CreateEmailTemplate', { TemplateName: 'TestName', TemplateContent: { Html: EXAMPLE_HTML } }));
      expect(res).toEqual({ TemplateID: 1, RequestId: expect.any(String) });
      expect(ok(await api.call('GetEmailTemplate', { TemplateID: 1 }))).toEqual({
        TemplateContent: { Html: EXAMPLE_HTML },
        TemplateStatus: 0,
        TemplateName: 'TestName',
        RequestId: expect.any(String),
      });
    });

    it('stores the decoded UTF-8 text and re-encodes it, for Html and Text together', async () => {
      const id = await create('欢迎 📮', { Html: b64('<p>你好 {{name}} 👋</p>'), Text: b64('你好 {{name}}') });
      expect(id).toBe(1);
      expect(await api.deps.templates.get(id)).toMatchObject({ html: '<p>你好 {{name}} 👋</p>', text: '你好 {{name}}' });
      expect(ok(await api.call('GetEmailTemplate', { TemplateID: id }))).toMatchObject({
        TemplateName: '欢迎 📮',
        TemplateContent: { Html: b64('<p>你好 {{name}} 👋</p>'), Text: b64('你好 {{name}}') },
      });
    });

    it('answers only the Text part for a text-only template and counts ids up', async () => {
      expect(await create('a', { Text: b64('one') })).toBe(1);
      const id = await create('b', { Text: b64('two'), Html: '' });
      expect(id).toBe(2);
      expect(ok(await api.call('GetEmailTemplate', { TemplateID: id })).TemplateContent).toEqual({ Text: b64('two') });
    });

    it('refuses content with neither Html nor Text, or only empty ones, with InvalidParameterValue.TemplateContentIsNULL', async () => {
      for (const TemplateContent of [{}, { Html: '' }, { Html: '', Text: '' }]) {
        expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'x', TemplateContent }))).toBe('InvalidParameterValue.TemplateContentIsNULL');
      }
    });

    it.each([
      ['is not base64', 'not base64!'],
      ['lacks its padding', 'YWI'],
      ['uses the URL-safe alphabet', b64('a?>~').replace(/\+/gu, '-').replace(/\//gu, '_')],
      ['contains a line break', `${b64('first part of a line')}\n${b64('x')}`],
      ['decodes to invalid UTF-8', Buffer.from([0xff, 0xfe, 0x41]).toString('base64')],
    ])('refuses content that %s with InvalidParameterValue.TemplateContentIsWrong', async (_what, value) => {
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'x', TemplateContent: { Html: value } }))).toBe(
        'InvalidParameterValue.TemplateContentIsWrong',
      );
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'x', TemplateContent: { Html: b64('ok'), Text: value } }))).toBe(
        'InvalidParameterValue.TemplateContentIsWrong',
      );
    });

    it('refuses decoded Html plus Text above the template size limit with FailedOperation.TemplateContentToolarge', async () => {
      ok(await api.call('CreateEmailTemplate', { TemplateName: 'fits', TemplateContent: { Html: b64('h'.repeat(32)), Text: b64('t'.repeat(32)) } }));
      expect(
        errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'big', TemplateContent: { Html: b64('h'.repeat(33)), Text: b64('t'.repeat(32)) } })),
      ).toBe('FailedOperation.TemplateContentToolarge');
      // 22 three-byte characters = 66 bytes although only 22 characters.
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'big', TemplateContent: { Text: b64('通'.repeat(22)) } }))).toBe(
        'FailedOperation.TemplateContentToolarge',
      );
    });

    it('refuses an empty or blank name with InvalidParameterValue.TemplateNameIsNULL', async () => {
      for (const TemplateName of ['', '   ']) {
        expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName, TemplateContent: { Text: b64('x') } }))).toBe(
          'InvalidParameterValue.TemplateNameIsNULL',
        );
      }
    });

    it('refuses a name over 100 characters or with control characters with InvalidParameterValue.TemplateNameIllegal', async () => {
      ok(await api.call('CreateEmailTemplate', { TemplateName: '名'.repeat(100), TemplateContent: { Text: b64('x') } }));
      for (const TemplateName of ['n'.repeat(101), 'line\nbreak', 'tab\tname']) {
        expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName, TemplateContent: { Text: b64('x') } }))).toBe(
          'InvalidParameterValue.TemplateNameIllegal',
        );
      }
    });

    it('answers MissingParameter, UnknownParameter and InvalidParameter for malformed requests', async () => {
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'x' }))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateContent: { Text: b64('x') } }))).toBe('MissingParameter');
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'x', TemplateContent: { Text: b64('x'), Subject: 'y' } }))).toBe(
        'UnknownParameter',
      );
      expect(errorCode(await api.call('CreateEmailTemplate', { TemplateName: 'x', TemplateContent: { Text: 5 } }))).toBe('InvalidParameter');
      expect(errorCode(await api.call('GetEmailTemplate', { TemplateID: '1' }))).toBe('InvalidParameter');
    });

    it('answers InvalidParameterValue.TemplateNotExist for an unknown id', async () => {
      expect(errorCode(await api.call('GetEmailTemplate', { TemplateID: 404 }))).toBe('InvalidParameterValue.TemplateNotExist');
    });
  });

  describe('ListEmailTemplates', () => {
    it('lists metadata in creation order with approval, review reason, creation time in seconds and the total', async () => {
      await create('first', { Html: EXAMPLE_HTML });
      clock.advance(3000);
      await create('second', { Text: b64('x') });
      expect(ok(await api.call('ListEmailTemplates', { Offset: 0, Limit: 10 }))).toEqual({
        TemplatesMetadata: [
          {
            TemplateID: 1,
            TemplateName: 'first',
            TemplateStatus: 0,
            ReviewReason: 'approved automatically: Postmill does not review templates',
            CreatedTimestamp: startSeconds,
          },
          {
            TemplateID: 2,
            TemplateName: 'second',
            TemplateStatus: 0,
            ReviewReason: 'approved automatically: Postmill does not review templates',
            CreatedTimestamp: startSeconds + 3,
          },
        ],
        TotalCount: 2,
        RequestId: expect.any(String),
      });
    });

    it('pages with Offset and Limit while TotalCount counts every template', async () => {
      for (let i = 1; i <= 4; i++) await create(`t${i}`, { Text: b64(`${i}`) });
      const res = ok(await api.call('ListEmailTemplates', { Offset: 2, Limit: 1 }));
      expect(res).toMatchObject({ TotalCount: 4, TemplatesMetadata: [{ TemplateID: 3, TemplateName: 't3' }] });
      expect(ok(await api.call('ListEmailTemplates', { Offset: 0, Limit: 0 }))).toMatchObject({ TotalCount: 4, TemplatesMetadata: [] });
    });

    it('refuses a Limit above 100 with FailedOperation.InvalidLimit', async () => {
      expect(errorCode(await api.call('ListEmailTemplates', { Offset: 0, Limit: 101 }))).toBe('FailedOperation.InvalidLimit');
    });

    it('requires both Offset and Limit, as Tencent does', async () => {
      expect(errorCode(await api.call('ListEmailTemplates', { Limit: 10 }))).toBe('MissingParameter');
      expect(errorCode(await api.call('ListEmailTemplates', { Offset: 0 }))).toBe('MissingParameter');
    });
  });

  describe('UpdateEmailTemplate', () => {
    it('replaces name and whole content, keeps the template approved and its creation time', async () => {
      const id = await create('old', { Html: b64('<b>old</b>'), Text: b64('old') });
      clock.advance(60_000);
      expect(ok(await api.call('UpdateEmailTemplate', { TemplateID: id, TemplateName: 'new', TemplateContent: { Html: b64('<i>new</i>') } }))).toEqual({
        RequestId: expect.any(String),
      });
      expect(ok(await api.call('GetEmailTemplate', { TemplateID: id }))).toMatchObject({
        TemplateName: 'new',
        TemplateStatus: 0,
        TemplateContent: { Html: b64('<i>new</i>') },
      });
      expect(ok(await api.call('ListEmailTemplates', { Offset: 0, Limit: 10 })).TemplatesMetadata).toEqual([
        expect.objectContaining({ TemplateID: id, TemplateStatus: 0, CreatedTimestamp: startSeconds }),
      ]);
    });

    it('answers InvalidParameterValue.TemplateNotExist for an unknown id', async () => {
      expect(errorCode(await api.call('UpdateEmailTemplate', { TemplateID: 9, TemplateName: 'x', TemplateContent: { Text: b64('x') } }))).toBe(
        'InvalidParameterValue.TemplateNotExist',
      );
    });

    it('validates name and content like CreateEmailTemplate and leaves the template unchanged on error', async () => {
      const id = await create('keep', { Text: b64('keep') });
      const update = (TemplateName: string, TemplateContent: Record<string, unknown>) =>
        api.call('UpdateEmailTemplate', { TemplateID: id, TemplateName, TemplateContent });
      expect(errorCode(await update('', { Text: b64('x') }))).toBe('InvalidParameterValue.TemplateNameIsNULL');
      expect(errorCode(await update('n'.repeat(101), { Text: b64('x') }))).toBe('InvalidParameterValue.TemplateNameIllegal');
      expect(errorCode(await update('x', {}))).toBe('InvalidParameterValue.TemplateContentIsNULL');
      expect(errorCode(await update('x', { Text: '***' }))).toBe('InvalidParameterValue.TemplateContentIsWrong');
      expect(errorCode(await update('x', { Text: b64('x'.repeat(65)) }))).toBe('FailedOperation.TemplateContentToolarge');
      expect(errorCode(await api.call('UpdateEmailTemplate', { TemplateID: id, TemplateName: 'x' }))).toBe('MissingParameter');
      expect(ok(await api.call('GetEmailTemplate', { TemplateID: id }))).toMatchObject({ TemplateName: 'keep', TemplateContent: { Text: b64('keep') } });
    });
  });

  describe('DeleteEmailTemplate', () => {
    it('deletes a template so it is gone from get and list, and its id is not reused', async () => {
      const id = await create('gone', { Text: b64('x') });
      expect(ok(await api.call('DeleteEmailTemplate', { TemplateID: id }))).toEqual({ RequestId: expect.any(String) });
      expect(errorCode(await api.call('GetEmailTemplate', { TemplateID: id }))).toBe('InvalidParameterValue.TemplateNotExist');
      expect(ok(await api.call('ListEmailTemplates', { Offset: 0, Limit: 10 })).TotalCount).toBe(0);
      expect(await create('next', { Text: b64('y') })).toBe(id + 1);
    });

    it('answers InvalidParameterValue.TemplateNotExist for an unknown id', async () => {
      expect(errorCode(await api.call('DeleteEmailTemplate', { TemplateID: 1 }))).toBe('InvalidParameterValue.TemplateNotExist');
    });
  });
});
