import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { encodeForm, encodeMultipart, isEnvelope, SendCloudTestClient, sendRaw } from './sendcloud-client.ts';
import { ACTIONS_WITH_PROBES } from './wire-probe-actions.ts';

describe('the SendCloud wire: how parameters arrive', () => {
  let api: ApiHarness;
  let sc: SendCloudTestClient;
  beforeAll(async () => {
    api = await startApiHarness({ sendCloudActions: ACTIONS_WITH_PROBES });
    sc = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  const text = '100% off: Ünïcödé 中文 a+b=c&d;e@f.example';

  it('decodes a urlencoded form with + for spaces, as Java, Python and URLSearchParams send it, charset parameter and all', async () => {
    const answer = await sc.post('probe/echo', { subject: text, html: '<p>hello world</p>' }, { spaces: 'plus' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json;charset=UTF-8');
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, message: '请求成功' });
    expect(answer.body.info.params).toMatchObject({ subject: text, html: '<p>hello world</p>' });
  });

  it('decodes a urlencoded form with %20 for spaces, as curl --data-urlencode sends it, and keeps a literal %25 as one %', async () => {
    const answer = await sc.post(
      'probe/echo',
      { subject: text, html: '<b>%name%</b> 50%25' },
      { spaces: 'percent20', contentType: 'application/x-www-form-urlencoded' },
    );
    expect(answer.body.info.params).toMatchObject({ subject: text, html: '<b>%name%</b> 50%25' });
    expect(encodeForm({ a: 'x y' }, 'percent20')).toBe('a=x%20y');
  });

  it('matches the media type whatever its case and parameters (Application/X-WWW-Form-Urlencoded;charset=utf-8)', async () => {
    const answer = await sc.post('probe/echo', { subject: 'x y' }, { contentType: 'Application/X-WWW-Form-Urlencoded;charset=utf-8' });
    expect(answer.body.info.params.subject).toBe('x y');
  });

  it('reads a name without = as an empty value (Java URLEncodedUtils writes a null fromName that way) and keeps a malformed escape as written', async () => {
    const body = `${encodeForm(sc.credentials())}&fromName&subject=a%zzb`;
    const answer = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: '/apiv2/probe/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(answer.body.info.params).toMatchObject({ fromName: '', subject: 'a%zzb' });
  });

  it('reads every parameter from the query of a GET, as the doc examples call (userinfo/get?apiUser=***&apiKey=***)', async () => {
    const answer = await sc.get('probe/echo', { days: '3', email: 'a b@example.org' }, { spaces: 'percent20' });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    expect(answer.body.info.params).toMatchObject({ days: '3', email: 'a b@example.org' });
  });

  it('lets the body win over the query for the same name, and the first of a repeated name win within one source', async () => {
    const query = encodeForm({ subject: 'from the query', labelId: '7' });
    const body = encodeForm({ ...sc.credentials(), subject: ['from the body', 'a second one'] });
    const answer = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: `/apiv2/probe/echo?${query}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(answer.body.info.params).toMatchObject({ subject: 'from the body', labelId: '7' });
  });

  it('authenticates from the query while the fields come in the body', async () => {
    const answer = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: `/apiv2/probe/echo?${encodeForm(sc.credentials())}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm({ subject: 'hi' }),
    });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200, info: { apiUser: api.secretId, apiUserType: 'both' } });
  });

  for (const style of ['java', 'python'] as const) {
    it(`reads a ${style}-SDK multipart body: text fields in UTF-8 and two attachments with their names, types and exact bytes`, async () => {
      const binary = randomBytes(70_000);
      const files = [
        { filename: 'report.pdf', content: binary },
        { filename: 'notes.txt', content: Buffer.from('line 1\r\n--not a boundary\r\n', 'utf8'), contentType: 'text/plain' },
      ];
      const answer = await sc.multipart('probe/echo', { subject: text, html: '<p>hi</p>' }, files, style);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
      expect(answer.body.info.params).toMatchObject({ subject: text, html: '<p>hi</p>', apiUser: api.secretId });
      expect(answer.body.info.attachments).toEqual(
        files.map((f) => ({
          filename: f.filename,
          contentType: f.contentType ?? 'application/octet-stream',
          size: f.content.length,
          sha256: createHash('sha256').update(f.content).digest('hex'),
        })),
      );
    });
  }

  it('refuses attachments totalling more than SENDCLOUD_MAX_ATTACHMENT_BYTES with 40819', async () => {
    const small = await startApiHarness({ sendCloudActions: ACTIONS_WITH_PROBES, sendCloud: { maxAttachmentBytes: 1000 } });
    try {
      const client = new SendCloudTestClient(small.baseUrl, small.secretId, small.secretKey);
      const ok = await client.multipart('probe/echo', {}, [
        { filename: 'a.bin', content: randomBytes(600) },
        { filename: 'b.bin', content: randomBytes(400) },
      ]);
      expect(ok.body).toMatchObject({ result: true, statusCode: 200 });
      const over = await client.multipart('probe/echo', {}, [
        { filename: 'a.bin', content: randomBytes(600) },
        { filename: 'b.bin', content: randomBytes(401) },
      ]);
      expect(over.status).toBe(200);
      expect(over.body).toMatchObject({ result: false, statusCode: 40819, info: {} });
      expect(over.body.message).toMatch(/^附件大小不能超过10485760字节: /u);
    } finally {
      await small.close();
    }
  });

  it('answers a multipart body without a boundary, or cut short, with 40867 in the envelope', async () => {
    const noBoundary = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: '/apiv2/probe/echo',
      headers: { 'content-type': 'multipart/form-data' },
      body: 'whatever',
    });
    expect(noBoundary.body).toMatchObject({ result: false, statusCode: 40867 });
    const { body, contentType } = encodeMultipart(sc.credentials(), [{ filename: 'a.bin', content: randomBytes(100) }]);
    const cut = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: '/apiv2/probe/echo',
      headers: { 'content-type': contentType },
      body: body.subarray(0, body.length - 40),
    });
    expect(cut.status).toBe(200);
    expect(cut.body).toMatchObject({ result: false, statusCode: 40867 });
  });

  it('ignores a body of another media type (JSON) and reads only the query', async () => {
    const answer = await sendRaw(api.baseUrl, {
      method: 'POST',
      path: `/apiv2/probe/echo?${encodeForm(sc.credentials())}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subject: 'ignored' }),
    });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    expect(answer.body.info.params.subject).toBeUndefined();
  });

  it('matches module and action case-insensitively and with a trailing slash (the doc writes apiUser/list)', async () => {
    const answer = await sc.get('Probe/ECHO/', { x: '1' });
    expect(answer.body).toMatchObject({ result: true, statusCode: 200 });
    expect(isEnvelope(answer.body)).toBe(true);
  });
});
