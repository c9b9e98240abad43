import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { composeMessage, needsPersonalCopies } from '@postmill/core';
import { buildMime } from '@postmill/transports';
import { expect } from 'vitest';
import type { ApiHarness } from '../api-harness.ts';

/**
 * Cases per property: the short CI profile unless `FUZZ_RUNS` asks for more (the full on-demand
 * profile, e.g. `FUZZ_RUNS=20000`). `FUZZ_SEED` replays a run fast-check reported.
 */
export function fuzzRuns(shortProfile: number): number {
  const raw = process.env['FUZZ_RUNS'];
  const n = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : shortProfile;
}

/** fast-check parameters shared by the fuzz properties. */
export function fuzzParameters(numRuns: number): { numRuns: number; seed?: number; endOnFailure: boolean } {
  const seed = Number(process.env['FUZZ_SEED']);
  // endOnFailure: a failing case is reported as found; shrinking through thousands of HTTP calls
  // would take longer than the case is worth.
  return { numRuns, endOnFailure: true, ...(Number.isInteger(seed) ? { seed } : {}) };
}

/** A test's timeout for `runs` HTTP cases (generous: CI shares two cores). */
export function fuzzTimeoutMs(runs: number): number {
  return Math.max(60_000, runs * 40);
}

let gc: (() => void) | undefined;
/**
 * Forces a full garbage collection. Vitest starts its workers without --expose-gc, so the flag is
 * set at run time and `gc` read from a fresh context (V8 installs it on contexts created after).
 */
export function forceGc(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}

/** An answer as read off the wire. */
export interface WireAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

export async function readAnswer(res: Response): Promise<WireAnswer> {
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** Sends `body` to `action` signed as the SDKs sign (plus a fresh X-TC-TraceId, so no case is a replay). */
export async function signedCall(api: ApiHarness, action: string, body: string): Promise<WireAnswer> {
  return readAnswer(await api.client.post(action, undefined, { rawBody: body }));
}

/** Codes that must never answer a request the caller got wrong: they mean Postmill failed. */
const SERVER_FAULTS = new Set(['InternalError', 'FailedOperation.ServiceNotAvailable']);

/**
 * The property every answer of `POST /` must have: HTTP 200, exactly `application/json`, and either
 * `{"Response":{"Error":{"Code","Message"},"RequestId"}}` with nothing else, or a success
 * `Response` with a RequestId and no `Error`. Never a server fault. Returns the error code, if any.
 */
export function expectTencentEnvelope(answer: WireAnswer, what: string): string | undefined {
  expect(answer.status, what).toBe(200);
  expect(answer.contentType, what).toBe('application/json');
  // The shape is what the assertions below check; nothing is trusted before they pass.
  const body = JSON.parse(answer.text) as { Response: { RequestId: unknown; Error?: { Code: string; Message: unknown } } };
  expect(Object.keys(body), what).toEqual(['Response']);
  const response = body.Response;
  expect(typeof response.RequestId, what).toBe('string');
  expect(response.RequestId, what).toMatch(/^[0-9a-f-]{36}$/u);
  if (response.Error === undefined) return undefined;
  expect(Object.keys(response).sort(), what).toEqual(['Error', 'RequestId']);
  expect(Object.keys(response.Error).sort(), what).toEqual(['Code', 'Message']);
  expect(response.Error.Code, what).toMatch(/^[A-Z][A-Za-z]+(\.[A-Za-z0-9]+)*$/u);
  expect(typeof response.Error.Message, what).toBe('string');
  expect(SERVER_FAULTS.has(response.Error.Code), `${what} answered ${response.Error.Code}: ${response.Error.Message}`).toBe(false);
  return response.Error.Code;
}

/** The state fuzzed requests can reach: a verified sender, a template and a receiver list with data. */
export interface FuzzFixtures {
  /** The newest fixture template (0 when creating it failed). */
  readonly templateId: number;
  /** The newest fixture receiver list (0 when creating it failed). */
  readonly receiverId: number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/**
 * (Re)creates the fixtures. Idempotent: fuzzed Delete* calls may remove any of them, so the fuzz
 * runs call this now and then; "already exists" answers are expected and ignored.
 */
export async function ensureFixtures(api: ApiHarness): Promise<FuzzFixtures> {
  await api.call('CreateEmailIdentity', { EmailIdentity: 'mail.example.com' });
  await api.call('CreateEmailAddress', { EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' });
  const template = await api.call('CreateEmailTemplate', {
    TemplateName: `fuzz-${randomUUID()}`,
    TemplateContent: { Html: b64('<p>Hello {{name}}, code {{code}}</p>'), Text: b64('Hello {{name}}, code {{code}}') },
  });
  const templateId = Number(template.body.Response.TemplateID ?? 0);
  const receiver = await api.call('CreateReceiver', { ReceiversName: `fuzz-${randomUUID()}`, Desc: 'fuzz' });
  const receiverId = Number(receiver.body.Response.ReceiverId ?? 0);
  if (receiverId > 0) {
    await api.call('CreateReceiverDetailWithData', {
      ReceiverId: receiverId,
      Datas: [
        { Email: 'alice@example.org', TemplateData: JSON.stringify({ name: 'Alice', code: '1' }) },
        { Email: 'bob@example.net', TemplateData: JSON.stringify({ name: '<b>Bob</b>', code: '2' }) },
      ],
    });
  }
  return { templateId, receiverId };
}

/**
 * Renders an accepted message as the worker would and checks its header section: only header lines
 * and folded continuations, CR LF line ends, printable ASCII, one From/To/Subject, no Bcc and
 * nothing a value injected.
 */
export async function expectSafeMime(api: ApiHarness, messageId: string): Promise<void> {
  const spec = await api.deps.messages.getSpec(messageId);
  expect(spec, messageId).toBeDefined();
  if (!spec) return;
  const recipient = [...spec.to, ...spec.cc, ...spec.bcc][0] ?? 'nobody@example.org';
  const personal = needsPersonalCopies(spec) ? { recipient, unsubscribeUrl: 'http://localhost:8080/unsubscribe/token' } : undefined;
  const mime = (await buildMime(composeMessage(spec, personal))).toString('utf8');
  const head = mime.slice(0, mime.indexOf('\r\n\r\n'));
  expect(head.replace(/\r\n/gu, ''), 'a bare CR or LF in the header section').not.toMatch(/[\r\n]/u);
  // Anything else (control characters, 8-bit text) must have been encoded (RFC 2047 / 2231).
  expect(head.replace(/\r\n/gu, ''), 'a raw control or 8-bit character in the header section').toMatch(/^[\t\x20-\x7e]*$/u);
  const lines = head.split('\r\n');
  const names: string[] = [];
  for (const line of lines) {
    if (/^[\t ]/u.test(line)) continue;
    const m = /^([!-9;-~]+):/u.exec(line);
    expect(m, `not a header line: ${JSON.stringify(line)}`).not.toBeNull();
    names.push((m?.[1] ?? '').toLowerCase());
  }
  expect(names).not.toContain('bcc');
  expect(names).not.toContain('x-injected');
  for (const single of ['from', 'to', 'subject', 'reply-to', 'message-id', 'content-type']) {
    expect(names.filter((n) => n === single).length, single).toBeLessThanOrEqual(1);
  }
}
