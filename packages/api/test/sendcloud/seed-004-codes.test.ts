import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

/**
 * The seed-004 return codes no other SendCloud test asserts, one request each over HTTP (the
 * others are listed, with the test that asserts each, in docs/sendcloud-codes.md). Each case
 * prepares what its situation needs, then answers the status code of the request it names.
 */

/** Largest template part, small here so a too-large `text` is cheap to send (the maxTemplateBytes setting). */
const MAX_TEMPLATE_BYTES = 4096;

interface Rig {
  readonly api: ApiHarness;
  readonly sender: string;
}

interface CodeCase {
  readonly name: string;
  readonly code: number;
  /** The status code the request answered. */
  readonly request: (rig: Rig) => Promise<number>;
}

const templateFields = () => ({ invokeName: `tpl_${unique()}`, name: 'Bill', html: '<p>Hi %name%</p>', subject: 'Bill', templateType: '0' });

async function newList(api: ApiHarness): Promise<string> {
  const address = `l${unique()}@maillist.example.org`;
  const added = await sendcloud(api, 'addresslist/add', { address, name: `list ${unique()}` });
  if (added.statusCode !== 200) throw new Error(`addresslist/add answered ${added.statusCode}`);
  return address;
}

const mail = (rig: Rig, fields: Record<string, string>) => ({ from: rig.sender, subject: 'Hello', html: '<p>Hi</p>', ...fields });

const cases: CodeCase[] = [
  {
    name: 'template/add with text sent empty answers 40213',
    code: 40213,
    request: ({ api }) => codeOf(api, 'template/add', { ...templateFields(), text: '' }),
  },
  {
    name: 'template/add with a text over maxTemplateBytes answers 40214',
    code: 40214,
    request: ({ api }) => codeOf(api, 'template/add', { ...templateFields(), text: 't'.repeat(MAX_TEMPLATE_BYTES + 1) }),
  },
  {
    name: 'template/add with isSubmitAudit sent empty answers 40221',
    code: 40221,
    request: ({ api }) => codeOf(api, 'template/add', { ...templateFields(), isSubmitAudit: '' }),
  },
  {
    name: 'template/list with templateStat sent empty answers 40205',
    code: 40205,
    request: ({ api }) => codeOf(api, 'template/list', { templateStat: '' }),
  },
  {
    name: 'addressmember/add with members holding only separators answers 40514',
    code: 40514,
    request: async ({ api }) => codeOf(api, 'addressmember/add', { address: await newList(api), members: ' ; ;' }),
  },
  {
    name: 'domain/list with type sent empty answers 41007',
    code: 41007,
    request: ({ api }) => codeOf(api, 'domain/list', { type: '' }),
  },
  {
    name: 'domain/list with verify sent empty answers 41009',
    code: 41009,
    request: ({ api }) => codeOf(api, 'domain/list', { verify: '' }),
  },
  {
    name: 'domain/list with verify ">abc" (no number after the comparison) answers 41011',
    code: 41011,
    request: ({ api }) => codeOf(api, 'domain/list', { verify: '>abc' }),
  },
  {
    name: 'mail/send reusing a sendRequestId for a different mail answers 40000',
    code: 40000,
    request: async (rig) => {
      const sendRequestId = `req_${unique()}`;
      const first = await sendcloud(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', sendRequestId }));
      if (first.statusCode !== 200) throw new Error(`the first mail/send answered ${first.statusCode}`);
      return codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', sendRequestId, subject: 'Another mail' }));
    },
  },
  {
    name: 'mail/send to recipients who all unsubscribed from the sender answers 40901',
    code: 40901,
    request: async (rig) => {
      const recipient = `gone${unique()}@example.org`;
      await rig.api.deps.suppressions.unsubscribe(rig.sender, recipient);
      return codeOf(rig.api, 'mail/send', mail(rig, { to: recipient }));
    },
  },
  {
    name: 'mail/send with useAddressList=true to an address list without members answers 40822',
    code: 40822,
    request: async (rig) => codeOf(rig.api, 'mail/send', mail(rig, { useAddressList: 'true', to: await newList(rig.api) })),
  },
  {
    name: 'data/emailStatus with labelId sent empty answers 40014',
    code: 40014,
    request: ({ api }) => codeOf(api, 'data/emailStatus', { days: '1', labelId: '' }),
  },
  {
    name: 'mail/send with labelId sent empty answers 40014',
    code: 40014,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', labelId: '' })),
  },
  {
    name: 'mail/sendtemplate with labelId sent empty answers 40014',
    code: 40014,
    request: async (rig) => {
      const fields = templateFields();
      const added = await sendcloud(rig.api, 'template/add', fields);
      if (added.statusCode !== 200) throw new Error(`template/add answered ${added.statusCode}`);
      return codeOf(rig.api, 'mail/sendtemplate', {
        from: rig.sender,
        templateInvokeName: fields.invokeName,
        xsmtpapi: JSON.stringify({ to: ['ann@example.org'], sub: { '%name%': ['Ann'] } }),
        labelId: '',
      });
    },
  },
  {
    name: 'mail/send with fromName sent empty answers 40803',
    code: 40803,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', fromName: '' })),
  },
  {
    name: 'mail/send with fromname (the Python example spelling) sent empty answers 40803',
    code: 40803,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', fromname: '' })),
  },
  {
    name: 'mail/send with replyTo sent empty answers 40810',
    code: 40810,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', replyTo: '' })),
  },
  {
    name: 'mail/send with replyto (lower case) sent empty answers 40810',
    code: 40810,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', replyto: '' })),
  },
  {
    name: 'mail/send with xsmtpapi sent empty answers 40812 instead of mailing to',
    code: 40812,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', xsmtpapi: '' })),
  },
  {
    name: 'mail/send with an attachments part of 0 bytes answers 40818',
    code: 40818,
    request: async (rig) => {
      const client = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
      const answer = await client.multipart('mail/send', mail(rig, { to: 'ann@example.org' }), [{ filename: 'empty.txt', content: Buffer.alloc(0) }]);
      return answer.body.statusCode as number;
    },
  },
  {
    name: 'mail/send with embeddedCid naming two ids for one embeddedImage part, or an image without an id, answers 40875',
    code: 40875,
    request: async (rig) => {
      const client = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
      const image = { field: 'embeddedImage', filename: 'logo.png', content: Buffer.from('png'), contentType: 'image/png' };
      const two = await client.multipart('mail/send', mail(rig, { to: 'ann@example.org', embeddedCid: 'logo;other' }), [image]);
      const none = await client.multipart('mail/send', mail(rig, { to: 'ann@example.org' }), [image]);
      const noImage = await client.post('mail/send', mail(rig, { to: 'ann@example.org', embeddedCid: 'logo' }));
      const codes = [two, none, noImage].map((a) => a.body.statusCode as number);
      return codes.every((c) => c === 40875) ? 40875 : Math.max(...codes.filter((c) => c !== 40875));
    },
  },
  {
    name: 'mail/send with an embeddedCid id that cannot be a Content-ID (angle brackets) answers 40867',
    code: 40867,
    request: async (rig) => {
      const client = new SendCloudTestClient(rig.api.baseUrl, rig.api.secretId, rig.api.secretKey);
      const image = { field: 'embeddedImage', filename: 'logo.png', content: Buffer.from('png'), contentType: 'image/png' };
      const answer = await client.multipart('mail/send', mail(rig, { to: 'ann@example.org', embeddedCid: 'a>b' }), [image]);
      return answer.body.statusCode as number;
    },
  },
  {
    name: 'mail/send with useAddressList=true from a trigger apiUser (apiuser/add emailType 0) answers 40820',
    code: 40820,
    request: async (rig) => {
      const name = `trig${unique()}`;
      const added = await sendcloud(rig.api, 'apiuser/add', { name, emailType: '0', domainName: rig.sender.slice(rig.sender.indexOf('@') + 1) });
      if (added.statusCode !== 200) throw new Error(`apiuser/add answered ${added.statusCode}`);
      const trigger = new SendCloudTestClient(rig.api.baseUrl, name, added.info.data.apiKey as string);
      const answer = await trigger.post('mail/send', mail(rig, { useAddressList: 'true', to: await newList(rig.api) }));
      return answer.body.statusCode as number;
    },
  },
  {
    name: 'mail/send with plain sent empty beside an html answers 40830',
    code: 40830,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', plain: '' })),
  },
  {
    name: 'mail/send with respEmailId sent empty answers 40858',
    code: 40858,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', respEmailId: '' })),
  },
  {
    name: 'mail/send with headers sent empty answers 40868',
    code: 40868,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', headers: '' })),
  },
  {
    name: 'mail/send with useAddressList sent empty answers 40873',
    code: 40873,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', useAddressList: '' })),
  },
  {
    name: 'mail/send with contentSummary sent empty answers 40877',
    code: 40877,
    request: (rig) => codeOf(rig.api, 'mail/send', mail(rig, { to: 'ann@example.org', contentSummary: '' })),
  },
];

describe('SendCloud seed-004 codes not asserted elsewhere, each answered in its situation over HTTP', () => {
  let rig: Rig;

  beforeAll(async () => {
    const api = await startApiHarness({ limits: { maxTemplateBytes: MAX_TEMPLATE_BYTES } });
    const domain = `codes${unique()}.example.com`;
    const sender = `news@${domain}`;
    await api.deps.engine.domains.create({ name: domain });
    await api.deps.engine.senders.create({ address: sender });
    rig = { api, sender };
  });

  afterAll(async () => {
    await rig?.api.close();
  });

  for (const c of cases) {
    it(c.name, async () => {
      expect(await c.request(rig)).toBe(c.code);
    });
  }
});
