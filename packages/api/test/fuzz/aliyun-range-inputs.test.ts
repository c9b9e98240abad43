import type { AliyunClient } from '@postmill/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { type AliyunActionCase, framings, withShortPrint } from './aliyun-arbitraries.ts';
import { type AliyunFixtures, aliyunClientFor, ensureAliyunFixtures, parseAnswerXml, resolveFixtures, sendAndCheck, Tally } from './aliyun-fuzz-support.ts';
import { fuzzParameters, fuzzRuns, fuzzTimeoutMs } from './fuzz-support.ts';
import { EDGE_DATES, RANGE_EDGE_NUMBERS, rangeDate, rangeNumber } from './range-arbitraries.ts';

/** Every listing, read after anything was stored: none may break on what the fuzz stored. */
const LISTINGS: readonly [string, Record<string, string>][] = [
  ['QueryDomainByParam', { PageSize: '100' }],
  ['QueryMailAddressByParam', { PageSize: '100' }],
  ['QueryTemplateByParam', { PageSize: '100' }],
  ['QueryTagByParam', { PageSize: '500' }],
  ['QueryReceiverByParam', { PageSize: '100' }],
  ['QueryReceiverDetail', { ReceiverId: '$receiverId', PageSize: '100' }],
  ['QueryTaskByParam', { PageSize: '100' }],
  ['ListUserSuppression', { PageSize: '100' }],
  ['DescTemplate', { TemplateId: '$templateId' }],
  ['DescAccountSummary', {}],
];

/** Integers on every edge, as text: JSON-ish spellings and the values themselves. */
const edgeInteger = fc.oneof(
  { arbitrary: fc.constantFrom(...RANGE_EDGE_NUMBERS.map(String)), weight: 4 },
  { arbitrary: rangeNumber.map(String), weight: 3 },
  { arbitrary: fc.constantFrom('-0', '00', '1e2', '0x1', ' 7', '7 ', '+7', '9'.repeat(17), `-${'9'.repeat(19)}`), weight: 1 },
);

const edgeDate = fc.oneof(
  fc.constantFrom(...EDGE_DATES),
  rangeDate,
  rangeDate.map((d) => `${d} 23:59`),
);

/** Text with what XML cannot carry and what breaks naive escaping: stored, then listed in XML. */
const storedText = fc.oneof(
  fc.constantFrom(
    'a\u0000b',
    '\u0001\u0008\u000b\u000c\u001f',
    '\ufffe\uffff',
    '\ud800x',
    'x\udfff',
    ']]>',
    '<![CDATA[x]]>',
    '&amp;&lt;&#0;',
    '"\'<>&',
    '\r\n\t',
    '𝕏😀',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const token = fc.nat().map((n) => n.toString(36));

/** One request with one numeric, date or stored-text value on an edge, the rest valid. */
const rangeCases: fc.Arbitrary<AliyunActionCase> = fc
  .tuple(
    fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            'QueryDomainByParam',
            'QueryMailAddressByParam',
            'QueryTemplateByParam',
            'QueryTagByParam',
            'QueryTaskByParam',
            'ListUserSuppression',
          ),
          fc.constantFrom('PageNo', 'PageSize', 'Status'),
          edgeInteger,
        )
        .map(([a, n, v]) => ({ a, p: { [n]: v } })),
      fc
        .tuple(fc.constantFrom('QueryReceiverByParam', 'QueryReceiverDetail'), fc.constantFrom('PageSize', 'NextStart', 'Status'), edgeInteger)
        .map(([a, n, v]) => ({ a, p: { ReceiverId: '$receiverId', [n]: v } })),
      fc.tuple(fc.constantFrom('DescDomain', 'CheckDomain'), edgeInteger).map(([a, v]) => ({ a, p: { DomainId: v } })),
      fc.tuple(fc.constantFrom('DescTemplate'), edgeInteger).map(([a, v]) => ({ a, p: { TemplateId: v } })),
      fc.tuple(fc.constantFrom('ModifyTag', 'DeleteTag'), edgeInteger, token).map(([a, v, t]) => ({ a, p: { TagId: v, TagName: `t_${t}` } })),
      fc
        .tuple(fc.constantFrom('ModifyMailAddress', 'DeleteMailAddress', 'CheckReplyToMailAddress'), edgeInteger)
        .map(([a, v]) => ({ a, p: { MailAddressId: v } })),
      edgeInteger.map((v) => ({ a: 'RemoveUserSuppression', p: { SuppressionIds: `${v},${v}` } })),
      fc.tuple(edgeDate, edgeDate).map(([s, e]) => ({ a: 'SenderStatisticsByTagNameAndBatchID', p: { StartTime: s, EndTime: e } })),
      fc.tuple(edgeInteger, token).map(([v, t]) => ({ a: 'CreateTemplate', p: { TemplateName: `r${t}`, TemplateText: '<p>{UserName}</p>', TemplateType: v } })),
      fc.tuple(fc.constantFrom('AddressType', 'ClickTrace'), edgeInteger).map(([n, v]) => ({
        a: 'SingleSendMail',
        p: { AccountName: '$triggerAddress', AddressType: '1', ReplyToAddress: 'false', ToAddress: 'alice@example.org', Subject: 'Hi', TextBody: 'Hi', [n]: v },
      })),
      // Stored text with what XML cannot carry: every listing must still be a well-formed document.
      fc.tuple(storedText, token).map(([text, t]) => ({
        a: 'CreateTemplate',
        p: { TemplateName: `x${t}`, TemplateSubject: text, TemplateText: `<p>${text}</p>`, TemplateNickName: text.slice(0, 10) },
      })),
      fc.tuple(storedText, token).map(([text, t]) => ({ a: 'CreateReceiver', p: { ReceiversName: `x${t}`, ReceiversAlias: 'a@x.example', Desc: text } })),
      fc.tuple(storedText, token).map(([text, t]) => ({ a: 'CreateTag', p: { TagName: `x_${t}`, TagDescription: text } })),
      storedText.map((text) => ({
        a: 'SaveReceiverDetail',
        p: { ReceiverId: '$receiverId', Detail: JSON.stringify([{ e: 'zed@example.org', u: text, n: text }]) },
      })),
      storedText.map((text) => ({ a: 'UpdateMailAddressMsgCallBackUrl', p: { MailFrom: '$triggerAddress', NotifyUrl: `https://x.example/${text}` } })),
    ),
    framings,
  )
  .map(([{ a, p }, framing]) => withShortPrint({ action: a, framing, params: Object.entries(p) }));

/** Actions that store something a listing shows. */
const STORING = /^(Create|Modify|Save|Update|Delete|Remove|SingleSend)/u;

describe('fuzzing every numeric, date and stored-text input of the DirectMail dialect with edge values', () => {
  let api: ApiHarness;
  let client: AliyunClient;
  let fixtures: AliyunFixtures;
  beforeAll(async () => {
    api = await startApiHarness();
    client = aliyunClientFor(api);
    fixtures = await ensureAliyunFixtures(client);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Asserts every listing answers 200, in JSON or as a well-formed XML document. */
  async function expectListingsServe(what: string, format: 'json' | 'xml'): Promise<void> {
    for (const [action, params] of LISTINGS) {
      const resolved = Object.entries(params).map(([n, v]): [string, string] => [n, resolveFixtures(v, fixtures)]);
      const outcome = await sendAndCheck(client, client.sign(action, resolved, { shape: 'v1-get', format: format.toUpperCase() }), `${action} after ${what}`, {
        action,
        format,
      });
      expect(outcome.code, `${action} after ${what}: ${outcome.answer.text.slice(0, 300)}`).toBeUndefined();
      if (format === 'xml') parseAnswerXml(outcome.answer.text, `${action} after ${what}`);
    }
  }

  const runs = fuzzRuns(600);
  it(`answers ${runs} requests with integers and dates on their edges and stored text XML cannot carry, never a 5xx, and every listing still serves, in JSON and XML, after each accepted one`, {
    timeout: fuzzTimeoutMs(runs * 2),
  }, async () => {
    let cases = 0;
    const accepted = new Tally();
    await fc.assert(
      fc.asyncProperty(rangeCases, fc.constantFrom<'json' | 'xml'>('json', 'xml'), async (c, listingFormat) => {
        cases++;
        // Range cases delete fixtures now and then (DeleteTag, DeleteMailAddress); put them back.
        if (cases % 100 === 0) fixtures = await ensureAliyunFixtures(client);
        const params = c.params.map(([n, v]): [string, string] => [n, resolveFixtures(v, fixtures)]);
        const what = `${c.framing.shape} ${c.action} ${JSON.stringify(params).slice(0, 300)}`;
        const outcome = await sendAndCheck(client, client.sign(c.action, params, { shape: c.framing.shape, wireEncoding: 'rfc3986' }), what, {
          action: c.action,
        });
        if (outcome.code !== undefined) return;
        accepted.add(c.action);
        if (STORING.test(c.action)) await expectListingsServe(what, listingFormat);
      }),
      fuzzParameters(runs),
    );
    console.info(`[fuzz] DirectMail range inputs: ${cases} cases; accepted ${accepted.top(30)}`);
    expect(cases).toBeGreaterThanOrEqual(runs);
    // The property reached storage: text XML cannot carry was stored and listed.
    expect(accepted.get('CreateTemplate') + accepted.get('CreateReceiver') + accepted.get('CreateTag')).toBeGreaterThan(0);
    await expectListingsServe('the fuzz run', 'xml');
    await expectListingsServe('the fuzz run', 'json');
  });
});
