import type { BenchApi } from './bench-api.ts';

/** Entries per CreateReceiverDetailWithData call (Tencent's RECEIVER_UPLOAD_MAX). */
export const UPLOAD_BATCH = 20_000;
/** The campaign's sender. */
export const BENCH_SENDER = 'news@mail.example.com';

/** The address of the `i`-th recipient: always 20 bytes for i < 10 000 000 (`u0123456@example.org`). */
export function benchAddress(i: number): string {
  return `u${String(i).padStart(7, '0')}@example.org`;
}

/** The TemplateData of the `i`-th recipient, as uploaded. */
export function benchTemplateData(i: number): string {
  return JSON.stringify({ name: `User ${i}` });
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The bench template's HTML and text parts (one variable, `name`). */
export const BENCH_TEMPLATE_HTML = '<p>Hello {{name}}, this is the monthly news.</p>';
export const BENCH_TEMPLATE_TEXT = 'Hello {{name}}, this is the monthly news.';

/** Creates the sender domain and address and a one-variable template; returns the TemplateID. */
export async function setUpSender(api: BenchApi): Promise<number> {
  await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
  await api.call('CreateEmailAddress', { EmailAddress: BENCH_SENDER, EmailSenderName: 'News' });
  const t = await api.call('CreateEmailTemplate', {
    TemplateName: 'bench-campaign',
    TemplateContent: { Html: b64(BENCH_TEMPLATE_HTML), Text: b64(BENCH_TEMPLATE_TEXT) },
  });
  return Number(t.TemplateID);
}

/**
 * Creates a list and uploads `count` recipients through CreateReceiverDetailWithData, UPLOAD_BATCH
 * at a time, exactly as a client would. Guarantees: throws unless every entry was accepted as valid.
 */
export async function uploadList(api: BenchApi, count: number, onProgress: (done: number) => void): Promise<number> {
  const { ReceiverId } = await api.call('CreateReceiver', { ReceiversName: `bench-${count}`, Desc: 'bench:campaign' });
  for (let start = 0; start < count; start += UPLOAD_BATCH) {
    const Datas: { Email: string; TemplateData: string }[] = [];
    for (let i = start; i < Math.min(count, start + UPLOAD_BATCH); i++) Datas.push({ Email: benchAddress(i), TemplateData: benchTemplateData(i) });
    const answer = await api.call('CreateReceiverDetailWithData', { ReceiverId, Datas });
    if (Number(answer.ValidCount) !== Datas.length) throw new Error(`upload at ${start}: ${JSON.stringify(answer).slice(0, 300)}`);
    onProgress(start + Datas.length);
  }
  return Number(ReceiverId);
}
