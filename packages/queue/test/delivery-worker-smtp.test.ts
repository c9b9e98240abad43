import { DeliveryRefusal } from '@postmill/core';
import { type SmtpCapture, startSmtpCapture } from '@postmill/testkit';
import { createSmtpTransport } from '@postmill/transports';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.ts';

describe('delivery worker over SMTP (real Redis, loopback SMTP server)', () => {
  let smtp: SmtpCapture | undefined;
  let h: WorkerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    await smtp?.close();
    h = undefined;
    smtp = undefined;
  });

  async function start(options: Parameters<typeof startSmtpCapture>[0] = {}, harness: { chunkSize?: number } = {}) {
    smtp = await startSmtpCapture(options);
    h = await startWorkerHarness({ transport: createSmtpTransport({ url: smtp.url, maxConnections: 2 }), ...harness });
    return { smtp, h };
  }

  it('delivers an accepted message to every recipient and records each as sent', async () => {
    const { smtp, h } = await start();
    const spec = await h.send({ to: ['a@example.org', 'b@example.org'], cc: ['c@example.net'], bcc: ['d@example.com'] });
    const states = await h.settled(spec.messageId);
    expect([...states.values()].map((s) => s.state)).toEqual(['sent', 'sent', 'sent', 'sent']);
    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelope.to.sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.net', 'd@example.com']);
    expect(mail?.parsed.subject).toBe('Hello');
    expect(mail?.parsed.headers.get('bcc')).toBeUndefined();
    expect(mail?.parsed.messageId).toBe(`<${spec.messageId}@mail.example.com>`);
    // Content is dropped once every state is final, just after the last state is written.
    await vi.waitFor(async () => expect(await h.messages.getSpec(spec.messageId)).toBeUndefined(), { timeout: 5000, interval: 20 });
    expect(await h.messages.getMeta(spec.messageId)).toBeDefined(); // status stays queryable
  });

  it('never puts more than SEND_CHUNK_SIZE recipients in one provider request', async () => {
    const { smtp, h } = await start({}, { chunkSize: 2 });
    const to = ['r1@example.org', 'r2@example.org', 'r3@example.org', 'r4@example.org', 'r5@example.org'];
    const spec = await h.send({ to });
    await h.settled(spec.messageId);
    const mails = await smtp.waitFor(3);
    expect(mails.map((m) => m.envelope.to.length).sort()).toEqual([1, 2, 2]);
    expect(mails.flatMap((m) => m.envelope.to).sort()).toEqual(to);
  });

  it('sends personal copies with a one-click List-Unsubscribe link when Unsubscribe is set', async () => {
    const { smtp, h } = await start();
    const spec = await h.send({ to: ['x@example.org', 'y@example.org'], unsubscribe: '2', html: '<p>News</p>' });
    await h.settled(spec.messageId);
    const mails = await smtp.waitFor(2);
    for (const m of mails) {
      expect(m.envelope.to).toHaveLength(1);
      // mailparser turns List-Unsubscribe into an object; read the header line as it went over the wire
      const raw = m.raw.toString('utf8').replace(/\r\n[ \t]+/gu, ' ');
      expect(raw).toMatch(/^List-Unsubscribe: <http:\/\/postmill\.test\/unsubscribe\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>\r$/mu);
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/mu);
      expect(m.parsed.html).toContain('unsubscribe</a>');
      expect(m.parsed.text).toContain('http://postmill.test/unsubscribe/');
    }
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(2);
  });

  it('fails an unsubscribed recipient at send time as Postmill.Unsubscribed and sends to the rest', async () => {
    const { smtp, h } = await start();
    await h.suppressions.unsubscribe('news@mail.example.com', 'gone@example.org');
    const spec = await h.send({ to: ['gone@example.org', 'stay@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('gone@example.org')).toMatchObject({ state: 'failed', code: DeliveryRefusal.Unsubscribed });
    expect(states.get('stay@example.org')).toMatchObject({ state: 'sent' });
    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelope.to).toEqual(['stay@example.org']);
  });

  it('delivers one copy, addressed as first spelled, to a mailbox listed again in another case, and keeps the To and Cc headers as given', async () => {
    const { smtp, h } = await start();
    const spec = await h.send({ to: ['Bob@example.org', 'ann@example.org'], cc: ['bob@example.org', 'Cat@example.org'], bcc: ['CAT@example.org'] });
    const states = await h.settled(spec.messageId);
    expect([...states.keys()].sort()).toEqual(['Bob@example.org', 'Cat@example.org', 'ann@example.org']);
    expect([...states.values()].map((s) => s.state)).toEqual(['sent', 'sent', 'sent']);
    // Every request of the run is made before its recipients' states are final, so this is all there is;
    // the capture counts a message before the client sees its 250.
    expect(smtp.received).toBe(1);
    const [mail] = smtp.messages;
    expect(mail?.envelope.to).toEqual(['Bob@example.org', 'ann@example.org', 'Cat@example.org']);
    expect(mail?.parsed.headers.get('cc')).toMatchObject({ value: [{ address: 'bob@example.org' }, { address: 'Cat@example.org' }] });
  });

  it('fails a recipient blacklisted in another spelling (Bob@X.com blocks bob@x.com) as Postmill.Suppressed', async () => {
    const { smtp, h } = await start();
    await h.blacklist.add(['Bob@Example.ORG']);
    const spec = await h.send({ to: ['bob@example.org', 'stay@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('bob@example.org')).toMatchObject({ state: 'failed', code: DeliveryRefusal.Suppressed });
    expect(states.get('stay@example.org')).toMatchObject({ state: 'sent' });
    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelope.to).toEqual(['stay@example.org']);
  });

  it('stops mail to BOB@example.org after bob@example.org unsubscribed from the sender (spelled News@Mail.example.com)', async () => {
    const { smtp, h } = await start();
    await h.suppressions.unsubscribe('News@Mail.example.com', 'bob@example.org');
    const spec = await h.send({ to: ['BOB@example.org', 'stay@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('BOB@example.org')).toMatchObject({ state: 'failed', code: DeliveryRefusal.Unsubscribed });
    const [mail] = await smtp.waitFor(1);
    expect(mail?.envelope.to).toEqual(['stay@example.org']);
  });

  it('fails a recipient the server rejects with 550 without retrying it, and delivers the others', async () => {
    const { smtp, h } = await start({ reply: (r) => (r.startsWith('nobody@') ? { code: 550, message: 'No such user' } : undefined) });
    const spec = await h.send({ to: ['nobody@example.org', 'ok@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('nobody@example.org')).toMatchObject({ state: 'failed', code: 'SMTP.550', transient: false });
    expect(states.get('ok@example.org')).toMatchObject({ state: 'sent' });
    expect(smtp.messages).toHaveLength(1);
  });

  it('defers a recipient answered 450 and delivers it on a later run without resending the accepted one', async () => {
    let refusals = 0;
    const { smtp, h } = await start({
      reply: (r) => (r.startsWith('busy@') && refusals++ < 1 ? { code: 450, message: 'Mailbox busy, try later' } : undefined),
    });
    const spec = await h.send({ to: ['busy@example.org', 'fine@example.org'] });
    const states = await h.settled(spec.messageId);
    expect(states.get('busy@example.org')).toMatchObject({ state: 'sent' });
    expect(states.get('fine@example.org')).toMatchObject({ state: 'sent' });
    const deliveries = smtp.messages.flatMap((m) => m.envelope.to);
    expect(deliveries.filter((r) => r === 'fine@example.org')).toHaveLength(1);
    expect(deliveries.filter((r) => r === 'busy@example.org')).toHaveLength(1);
  });
});
