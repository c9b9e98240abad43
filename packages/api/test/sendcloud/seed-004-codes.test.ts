import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from '../api-harness.ts';
import { codeOf, sendcloud, unique } from './management-test-kit.ts';

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
