import { type MailMessage, type MailTransport, ProviderError, type RecipientOutcome, type TransportRequest } from '@postmill/core';
import type { ParsedMail } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** One message as the far side of a transport received it. */
export interface DeliveredMail {
  /** Envelope recipients. */
  readonly recipients: string[];
  /** Envelope sender address. */
  readonly from: string;
  readonly subject: string;
  readonly html?: string;
  readonly text?: string;
  readonly attachments: { readonly filename: string; readonly content: Buffer }[];
  /**
   * Header values by lower-case name, unfolded and RFC 2047-decoded; at least `message-id`,
   * `reply-to`, `list-unsubscribe` (when present) and custom headers. Repeated headers are joined
   * with `, `.
   */
  readonly headers: Record<string, string>;
}

/** What an adapter's test provides to the contract: a fresh transport and a view of what arrived. */
export interface ContractHarness {
  readonly transport: MailTransport;
  /** Every message delivered since setup, in arrival order. */
  delivered(): Promise<DeliveredMail[]>;
  /** Closes the transport (if still open) and releases everything setup created. */
  cleanup(): Promise<void>;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/gu;
const ENCODED_RUN = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=(?:\s*=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)*/gu;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/u.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

/**
 * Decodes RFC 2047 encoded words. Adjacent words are joined before decoding (whitespace between
 * them is not text, and an encoder may split one character's bytes across two words).
 */
export function decodeEncodedWords(value: string): string {
  return value.replace(ENCODED_RUN, (run) => {
    let out = '';
    let charset = '';
    let pending: Buffer[] = [];
    const flush = () => {
      if (pending.length > 0) out += new TextDecoder(charset || 'utf-8').decode(Buffer.concat(pending));
      pending = [];
    };
    for (const [, cs = 'utf-8', encoding = 'Q', text = ''] of run.matchAll(ENCODED_WORD)) {
      const wordCharset = cs.split('*')[0]?.toLowerCase() ?? 'utf-8';
      if (wordCharset !== charset) flush();
      charset = wordCharset;
      pending.push(wordBytes(encoding, text));
    }
    flush();
    return out;
  });
}

/** A DeliveredMail from a parsed MIME message and the envelope it travelled in. */
export function deliveredFromParsed(parsed: ParsedMail, envelope: { from: string; recipients: readonly string[] }): DeliveredMail {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    const value = decodeEncodedWords(
      line
        .slice(colon + 1)
        .replace(/\r?\n(?=[ \t])/gu, '')
        .trim(),
    );
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  return {
    recipients: [...envelope.recipients],
    from: envelope.from,
    subject: parsed.subject ?? '',
    ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    ...(parsed.text !== undefined ? { text: parsed.text } : {}),
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', content: a.content })),
    headers,
  };
}

const SENDER = 'contract@mail.example.com';

function contractMessage(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: { address: SENDER, name: 'Contract Sender' },
    to: ['alice@example.org', 'bob@example.org'],
    cc: ['carol@example.org'],
    bcc: [],
    subject: 'Contract check',
    text: 'Plain text body',
    html: '<p>HTML body</p>',
    attachments: [],
    messageId: '<pm-date-20240102030405-contract@mail.example.com>',
    headers: {},
    dateMs: Date.UTC(2024, 0, 2, 3, 4, 5),
    ...overrides,
  };
}

function request(message: MailMessage, recipients: readonly string[] = [...message.to, ...message.cc, ...message.bcc]): TransportRequest {
  return { message, recipients, postmillMessageId: 'pm-date-20240102030405-contract' };
}

const sorted = (values: readonly string[]) => [...values].sort();
const lines = (value: string | undefined) => value?.replace(/\r\n/gu, '\n').trimEnd();

function expectAllAccepted(outcomes: readonly RecipientOutcome[], recipients: readonly string[]): void {
  expect(outcomes.map((o) => o.recipient)).toEqual(recipients);
  for (const outcome of outcomes) {
    expect(outcome).toMatchObject({ accepted: true, response: expect.any(String) });
  }
}

/** What a provider's API cannot carry, so the contract checks a clear refusal instead; every field documents its default. */
export interface ContractCapabilities {
  /**
   * False when the provider's send API takes no attachment content (Alibaba DirectMail): the
   * attachments case then checks that such a message is refused with a permanent ProviderError
   * and that nothing is delivered. Default true.
   */
  readonly attachments?: boolean;
  /** True when the adapter implements `sendPersonalised`: the personal-messages cases then run. Default false. */
  readonly personalised?: boolean;
}

/**
 * The behaviour every MailTransport adapter must show, run against a fresh harness per case.
 * Guarantees each case calls `setup()` once and `cleanup()` once, even when the case fails.
 */
export function describeTransportContract(name: string, setup: () => Promise<ContractHarness>, capabilities: ContractCapabilities = {}): void {
  describe(`${name} transport contract`, () => {
    let harness: ContractHarness;
    beforeEach(async () => {
      harness = await setup();
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('delivers one request to several recipients with one outcome each', async () => {
      const message = contractMessage({ bcc: ['dave@example.net'] });
      const recipients = ['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.net'];
      const result = await harness.transport.send(request(message, recipients));
      expectAllAccepted(result.outcomes, recipients);
      const delivered = await harness.delivered();
      expect(delivered.length).toBeGreaterThan(0);
      expect(sorted(delivered.flatMap((d) => d.recipients))).toEqual(sorted(recipients));
      for (const mail of delivered) {
        expect(mail.from).toBe(SENDER);
        expect(mail.subject).toBe('Contract check');
      }
    });

    it('keeps the subject, html, text and non-ASCII (Chinese) text intact', async () => {
      const message = contractMessage({
        subject: '季度报告：你好，世界 ✓ — a rather long subject line that has to be folded somewhere along the way',
        html: '<html><body><h1>你好，世界</h1><p>价格：¥100 &amp; 更多</p></body></html>',
        text: '你好，世界\n第二行：¥100',
      });
      const result = await harness.transport.send(request(message));
      expectAllAccepted(result.outcomes, request(message).recipients);
      const [mail] = await harness.delivered();
      expect(mail?.subject).toBe(message.subject);
      expect(lines(mail?.html)).toBe(message.html);
      expect(lines(mail?.text)).toBe(message.text);
    });

    const attachmentsMessage = () => {
      const binary = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256));
      const text = Buffer.from('第一行\r\n.leading dot\n\nend without newline', 'utf8');
      const message = contractMessage({
        attachments: [
          { filename: 'data.bin', contentBase64: binary.toString('base64'), contentType: 'application/octet-stream' },
          { filename: '说明.txt', contentBase64: text.toString('base64') },
        ],
      });
      return { binary, text, message };
    };

    if (capabilities.attachments === false) {
      it('refuses a message with attachments with a permanent ProviderError, delivering nothing', async () => {
        const refused = await harness.transport.send(request(attachmentsMessage().message)).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(refused).toBeInstanceOf(ProviderError);
        expect((refused as ProviderError).kind).toBe('permanent');
        expect(await harness.delivered()).toEqual([]);
      });
    } else {
      it('carries attachments byte-for-byte', async () => {
        const { binary, text, message } = attachmentsMessage();
        const result = await harness.transport.send(request(message));
        expectAllAccepted(result.outcomes, request(message).recipients);
        const [mail] = await harness.delivered();
        expect(mail?.attachments.map((a) => a.filename)).toEqual(['data.bin', '说明.txt']);
        expect(mail?.attachments[0]?.content.equals(binary)).toBe(true);
        expect(mail?.attachments[1]?.content.equals(text)).toBe(true);
      });
    }

    it('carries Reply-To, the Message-ID and custom headers', async () => {
      const message = contractMessage({
        replyTo: 'support@example.com',
        messageId: '<pm-date-20240102030405-headers.alice=example.org@mail.example.com>',
        headers: {
          'X-Postmill-Campaign': 'autumn 秋季',
          'List-Unsubscribe': '<https://unsubscribe.example.com/u/eyJhbGciOiJIUzI1NiJ9.abcdefghijklmnopqrstuvwxyz0123456789>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      const result = await harness.transport.send(request(message));
      expectAllAccepted(result.outcomes, request(message).recipients);
      const [mail] = await harness.delivered();
      expect(mail?.headers['message-id']).toBe(message.messageId);
      expect(mail?.headers['reply-to']).toContain('support@example.com');
      expect(mail?.headers['x-postmill-campaign']).toBe('autumn 秋季');
      expect(mail?.headers['list-unsubscribe']).toBe(message.headers['List-Unsubscribe']);
      expect(mail?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    });

    it('never exposes Bcc in headers', async () => {
      const message = contractMessage({ bcc: ['hidden@example.net'] });
      const result = await harness.transport.send(request(message));
      expectAllAccepted(result.outcomes, request(message).recipients);
      const delivered = await harness.delivered();
      expect(delivered.flatMap((d) => d.recipients)).toContain('hidden@example.net');
      for (const mail of delivered) {
        expect(mail.headers['bcc']).toBeUndefined();
        expect(Object.values(mail.headers).join('\n')).not.toContain('hidden@example.net');
      }
    });

    it('close() is idempotent', async () => {
      const message = contractMessage();
      await harness.transport.send(request(message));
      await expect(Promise.all([harness.transport.close(), harness.transport.close()])).resolves.toEqual([undefined, undefined]);
      await expect(harness.transport.close()).resolves.toBeUndefined();
    });

    it('lets a send already in flight finish before close() resolves', async () => {
      const message = contractMessage();
      const sending = harness.transport.send(request(message));
      await harness.transport.close();
      expectAllAccepted((await sending).outcomes, request(message).recipients);
      const delivered = await harness.delivered();
      expect(sorted(delivered.flatMap((d) => d.recipients))).toEqual(sorted(request(message).recipients));
    });

    if (capabilities.personalised) {
      /** Personal messages for `count` recipients, each with its own name in subject, html and text. */
      const personalRequests = (count: number): TransportRequest[] =>
        Array.from({ length: count }, (_, i) => {
          const email = `person${i}@example.org`;
          return {
            message: contractMessage({
              to: [email],
              cc: [],
              bcc: [],
              subject: `Für Person ${i}`,
              html: `<p>Hallo Person ${i} 你好</p>`,
              text: `Hallo Person ${i} 你好`,
              messageId: `<contract.${i}@mail.example.com>`,
            }),
            recipients: [email],
            postmillMessageId: `pm-task-9-1-${i}`,
          };
        });

      it('personalisedGroups places every personal message in exactly one group of at most personalisedBatchSize', () => {
        const requests = personalRequests(Math.min(7, harness.transport.personalisedBatchSize ?? 1));
        const groups = harness.transport.personalisedGroups?.(requests) ?? [];
        expect(groups.flat()).toHaveLength(requests.length);
        expect(new Set(groups.flat())).toEqual(new Set(requests));
        for (const g of groups) expect(g.length).toBeLessThanOrEqual(harness.transport.personalisedBatchSize ?? 1);
      });

      it('sendPersonalised answers one outcome per message and delivers each recipient only its own subject, html and text', async () => {
        const requests = personalRequests(Math.min(5, harness.transport.personalisedBatchSize ?? 1));
        const outcomes: RecipientOutcome[] = [];
        for (const group of harness.transport.personalisedGroups?.(requests) ?? []) {
          outcomes.push(...((await harness.transport.sendPersonalised?.(group))?.outcomes ?? []));
        }
        expectAllAccepted(
          outcomes,
          requests.map((r) => r.recipients[0] ?? ''),
        );
        const delivered = await harness.delivered();
        expect(delivered).toHaveLength(requests.length);
        for (const [i, r] of requests.entries()) {
          const mail = delivered.find((d) => d.recipients.includes(r.recipients[0] ?? ''));
          expect(mail?.recipients).toEqual(r.recipients);
          expect([mail?.subject, mail?.html, mail?.text]).toEqual([`Für Person ${i}`, `<p>Hallo Person ${i} 你好</p>`, `Hallo Person ${i} 你好`]);
        }
      });
    }
  });
}
