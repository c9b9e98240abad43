import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementActions } from '../../src/sendcloud/actions/management-actions.ts';
import { SENDCLOUD_STATUS_MESSAGES } from '../../src/sendcloud/status-codes.ts';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { isEnvelope, SendCloudTestClient } from './sendcloud-client.ts';

const PARAM_NAMES = [
  'invokeName',
  'name',
  'html',
  'subject',
  'templateType',
  'text',
  'isSubmitAudit',
  'templateStat',
  'start',
  'limit',
  'address',
  'newAddress',
  'desc',
  'members',
  'names',
  'vars',
  'newMembers',
  'labelId',
  'labelName',
  'query',
  'newName',
  'type',
  'verify',
  'email',
  'days',
  'startDate',
  'endDate',
  'apiUserList',
  'labelIdList',
  'domainList',
  'aggregate',
  'url',
  'categoryName',
  'event',
  'newUrl',
  'newCategoryName',
  'newEvent',
];

const value = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '-1',
    '101',
    '>22',
    'fz@maillist.sendcloud.org',
    'a@example.com;b@example.com',
    'fuzz.example.com',
    '{"k":"v"};{"k":"w"}',
    '{"k":',
    '2026-03-01',
    '2026-13-45',
    'https://hooks.example.com/x',
    '1,3,open',
    'all',
    '<p>%name%</p>',
    '%%',
    '中文',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const request = fc.record({
  path: fc.constantFrom(...managementActions.map((a) => a.path)),
  params: fc.array(fc.tuple(fc.constantFrom(...PARAM_NAMES), value), { maxLength: 8 }),
});

// Arbitrary parameters to every management action, with the state they build up along the way
// (lists, templates, labels… made by earlier cases): always the envelope with a documented code,
// never 501 (a bug, not bad input).
describe('SendCloud management actions under arbitrary parameters', () => {
  let api: ApiHarness;
  let client: SendCloudTestClient;

  beforeAll(async () => {
    api = await startApiHarness();
    client = new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers every request with HTTP 200 and the envelope, with a documented status code other than 501', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ path, params }) => {
        const answer = await client.post(path, Object.fromEntries(params));
        expect(answer.status).toBe(200);
        expect(isEnvelope(answer.body), answer.text).toBe(true);
        expect(Object.keys(SENDCLOUD_STATUS_MESSAGES)).toContain(String(answer.body.statusCode));
        expect(answer.body.statusCode, `${path} ${JSON.stringify(params)} → ${answer.text}`).not.toBe(501);
      }),
      { numRuns: 400 },
    );
  });
});
