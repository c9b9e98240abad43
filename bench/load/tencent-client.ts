import { randomUUID } from 'node:crypto';
import { signTencentRequest } from '@postmill/tc3';

/** Thrown when the API answers with a Tencent error envelope. */
export class TencentCallError extends Error {
  override readonly name = 'TencentCallError';
  constructor(
    readonly code: string,
    message: string,
    readonly action: string,
  ) {
    super(`${action}: ${code}: ${message}`);
  }
}

/** A signed Tencent-dialect call to the API at `baseUrl`; throws TencentCallError for an error answer. */
export type TencentCall = (action: string, body: unknown) => Promise<Record<string, unknown>>;

/**
 * Calls made outside the load (setup, status checks). Each is signed with a fresh X-TC-TraceId,
 * so two identical calls in one second are still distinct requests for replay protection.
 */
export function tencentClient(o: { baseUrl: string; secretId: string; secretKey: string }): TencentCall {
  const host = new URL(o.baseUrl).host;
  return async (action, body) => {
    const text = JSON.stringify(body);
    const headers = signTencentRequest(
      { secretId: o.secretId, secretKey: o.secretKey },
      { host, action, version: '2020-10-02', timestamp: Math.floor(Date.now() / 1000), service: 'ses', traceId: randomUUID() },
      text,
    );
    const res = await fetch(`${o.baseUrl}/`, { method: 'POST', headers, body: text });
    const { Response } = (await res.json()) as { Response: Record<string, unknown> & { Error?: { Code: string; Message: string } } };
    if (Response.Error) throw new TencentCallError(Response.Error.Code, Response.Error.Message, action);
    return Response;
  };
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
