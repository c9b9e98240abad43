import { createServer, type Server, type Socket } from 'node:net';
import { type MailMessage, type MailTransport, ProviderError, type TransportRequest } from '@postmill/core';
import { freePort } from '@postmill/store';
import { type SmtpCapture, type SmtpCaptureOptions, startSmtpCapture } from '@postmill/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createSmtpTransport, type SmtpTransportOptions } from '../src/smtp-transport.ts';
import { type ContractHarness, deliveredFromParsed, describeTransportContract } from './transport-contract.ts';

async function smtpHarness(): Promise<ContractHarness> {
  const capture = await startSmtpCapture();
  const transport = createSmtpTransport({ url: capture.url, timeoutMs: 5_000 });
  return {
    transport,
    delivered: async () => capture.messages.map((m) => deliveredFromParsed(m.parsed, { from: m.envelope.from, recipients: m.envelope.to })),
    async cleanup() {
      await transport.close();
      await capture.close();
    },
  };
}

describeTransportContract('smtp', smtpHarness);

const message: MailMessage = {
  from: { address: 'news@mail.example.com', name: 'News' },
  headerFrom: 'Brand <brand@example.com>',
  to: ['alice@example.org', 'bob@example.org'],
  cc: [],
  bcc: ['hidden@example.org'],
  subject: 'SMTP check',
  text: 'hello',
  attachments: [],
  messageId: '<smtp-check@mail.example.com>',
  headers: {},
  dateMs: 1_700_000_000_000,
};

const request = (recipients: readonly string[]): TransportRequest => ({ message, recipients, postmillMessageId: 'pm-smtp' });

describe('smtp transport', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    // Transports first: closing the server under an open pool would race its reconnects.
    for (const resource of open.splice(0)) await resource.close();
  });

  async function setup(
    captureOptions: SmtpCaptureOptions = {},
    transportOptions: Partial<SmtpTransportOptions> = {},
  ): Promise<{ capture: SmtpCapture; transport: MailTransport }> {
    const capture = await startSmtpCapture(captureOptions);
    const transport = createSmtpTransport({ url: capture.url, timeoutMs: 5_000, ...transportOptions });
    open.push(transport, capture);
    return { capture, transport };
  }

  it('sends the envelope from the sender address to exactly the request recipients, whatever the From header says', async () => {
    const { capture, transport } = await setup();
    await transport.send(request(['alice@example.org', 'hidden@example.org']));
    const [mail] = capture.messages;
    expect(mail?.envelope).toEqual({ from: 'news@mail.example.com', to: ['alice@example.org', 'hidden@example.org'] });
    expect(mail?.parsed.from?.value[0]?.address).toBe('brand@example.com');
    expect(mail?.parsed.messageId).toBe('<smtp-check@mail.example.com>');
  });

  it('reports a recipient the server rejects with 550 as a rejected SMTP.550 outcome while the others are accepted', async () => {
    const { capture, transport } = await setup({
      reply: (rcpt) => (rcpt === 'bob@example.org' ? { code: 550, message: 'No such user here' } : undefined),
    });
    const { outcomes } = await transport.send(request(['alice@example.org', 'bob@example.org', 'hidden@example.org']));
    expect(outcomes.map((o) => [o.recipient, o.accepted])).toEqual([
      ['alice@example.org', true],
      ['bob@example.org', false],
      ['hidden@example.org', true],
    ]);
    const rejected = outcomes[1];
    expect(rejected?.accepted === false && rejected.error).toMatchObject({ name: 'ProviderError', code: 'SMTP.550', smtpCode: 550 });
    expect(rejected?.accepted === false && rejected.error.message).toContain('No such user here');
    expect(outcomes[0]?.accepted === true && outcomes[0].response).toMatch(/^250 /u);
    expect(capture.messages.map((m) => m.envelope.to)).toEqual([['alice@example.org', 'hidden@example.org']]);
  });

  it('returns one rejected outcome per recipient instead of throwing when every recipient is refused', async () => {
    const { capture, transport } = await setup({ reply: () => ({ code: 550, message: 'Mailbox unavailable' }) });
    const { outcomes } = await transport.send(request(['alice@example.org', 'bob@example.org']));
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome.accepted).toBe(false);
      expect(outcome.accepted === false && outcome.error).toMatchObject({ code: 'SMTP.550', smtpCode: 550 });
    }
    expect(capture.messages).toHaveLength(0);
  });

  it('reports a recipient deferred with 451 at RCPT as an SMTP.451 outcome while the others are accepted', async () => {
    const { transport } = await setup({
      reply: (rcpt) => (rcpt === 'bob@example.org' ? { code: 451, message: 'Greylisted, try later' } : undefined),
    });
    const { outcomes } = await transport.send(request(['alice@example.org', 'bob@example.org']));
    expect(outcomes[0]).toMatchObject({ recipient: 'alice@example.org', accepted: true });
    expect(outcomes[1]).toMatchObject({ recipient: 'bob@example.org', accepted: false, error: { code: 'SMTP.451', smtpCode: 451 } });
  });

  it('throws SMTP.421 with smtpCode for the whole request when the server answers 421 at RCPT and closes', async () => {
    const { capture, transport } = await setup({
      reply: (rcpt) => (rcpt === 'bob@example.org' ? { code: 421, message: 'Too busy, closing' } : undefined),
    });
    const err = await transport.send(request(['alice@example.org', 'bob@example.org'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'SMTP.421', smtpCode: 421 });
    expect(capture.messages).toHaveLength(0);
  });

  it.each([
    [421, 'Service shutting down'],
    [451, 'Local error in processing'],
    [552, 'Message too large'],
  ])('throws SMTP.%i with smtpCode when the server answers it at the end of DATA', async (code, text) => {
    const { capture, transport } = await setup({ dataReply: () => ({ code, message: text }) });
    const err = await transport.send(request(['alice@example.org'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: `SMTP.${code}`, smtpCode: code });
    expect((err as ProviderError).message).toContain(text);
    expect(capture.messages).toHaveLength(0);
  });

  it('keeps sending over the pool after the server refused a message at DATA', async () => {
    let refuse = true;
    const { capture, transport } = await setup({
      dataReply: () => (refuse ? { code: 451, message: 'Try again later' } : undefined),
    });
    await expect(transport.send(request(['alice@example.org']))).rejects.toMatchObject({ code: 'SMTP.451' });
    refuse = false;
    const { outcomes } = await transport.send(request(['alice@example.org']));
    expect(outcomes).toMatchObject([{ recipient: 'alice@example.org', accepted: true }]);
    expect(capture.messages).toHaveLength(1);
  });

  it('authenticates with the credentials in the URL and throws SMTP.535 when they are wrong', async () => {
    const { capture } = await setup({ auth: { user: 'relay', pass: 's3cret' } });
    const good = createSmtpTransport({ url: `smtp://relay:s3cret@127.0.0.1:${capture.port}`, timeoutMs: 5_000 });
    const bad = createSmtpTransport({ url: `smtp://relay:wrong@127.0.0.1:${capture.port}`, timeoutMs: 5_000 });
    open.unshift(good, bad);
    expect((await good.send(request(['alice@example.org']))).outcomes).toMatchObject([{ accepted: true }]);
    await expect(bad.send(request(['alice@example.org']))).rejects.toMatchObject({ name: 'ProviderError', code: 'SMTP.535', smtpCode: 535 });
    expect(capture.messages).toHaveLength(1);
  });

  it('surfaces a refused connection as a Network.* ProviderError', async () => {
    const port = await freePort();
    const transport = createSmtpTransport({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 5_000 });
    open.push(transport);
    const err = await transport.send(request(['alice@example.org'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('Network.ECONNREFUSED');
    expect((err as ProviderError).smtpCode).toBeUndefined();
  });

  it('surfaces a server that never greets as Network.Timeout after timeoutMs', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    open.push({
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    });
    const transport = createSmtpTransport({ url: `smtp://127.0.0.1:${port}`, timeoutMs: 200 });
    open.unshift(transport);
    await expect(transport.send(request(['alice@example.org']))).rejects.toMatchObject({ name: 'ProviderError', code: 'Network.Timeout' });
  });

  it('refuses sends after close() with Network.TransportClosed', async () => {
    const { transport } = await setup();
    await transport.close();
    await expect(transport.send(request(['alice@example.org']))).rejects.toMatchObject({ code: 'Network.TransportClosed' });
  });
});
