import { createTencentClient } from '@postmill/testkit';

/** A signed Tencent-dialect call to the API at `baseUrl`; throws TencentCallError (@postmill/testkit) for an error answer. */
export type TencentCall = (action: string, body: unknown) => Promise<Record<string, unknown>>;

/**
 * Calls made outside the load (setup, status checks). Each is signed with a fresh X-TC-TraceId,
 * so two identical calls in one second are still distinct requests for replay protection.
 */
export function tencentClient(o: { baseUrl: string; secretId: string; secretKey: string }): TencentCall {
  const client = createTencentClient(o);
  return (action, body) => client.request(action, body);
}

/** Creates the sender domain, the sender address and the template the load sends with. */
export async function setUpSender(call: TencentCall, o: { domain: string; from: string }): Promise<{ templateId: number }> {
  await call('CreateEmailIdentity', { EmailIdentity: o.domain });
  await call('CreateEmailAddress', { EmailAddress: o.from, EmailSenderName: 'Load Bench' });
  const html = Buffer.from('<p>Hello, this is load test mail number {{n}}.</p>').toString('base64');
  const text = Buffer.from('Hello, this is load test mail number {{n}}.').toString('base64');
  const created = await call('CreateEmailTemplate', { TemplateName: `load-${Date.now()}`, TemplateContent: { Html: html, Text: text } });
  const templateId = Number(created.TemplateID);
  if (!Number.isInteger(templateId)) throw new Error(`CreateEmailTemplate returned no TemplateID: ${JSON.stringify(created)}`);
  return { templateId };
}
