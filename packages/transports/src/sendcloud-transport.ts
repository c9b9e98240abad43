import {
  type Clock,
  type MailMessage,
  type MailTransport,
  type RecipientOutcome,
  systemClock,
  type TransportRequest,
  type TransportResult,
} from '@postmill/core';
import { postForAnswer, sendInCalls, trackedSends, warmUpMessage } from './http-transport.ts';
import { sendCloudErrorAnswer, sendCloudHttpError, sendCloudInvalidResponse, sendCloudNetworkError, sendCloudTransportClosed } from './sendcloud-classify.ts';
import { type SendCloudField, sendCloudBody, toSendCloudCalls } from './sendcloud-form.ts';
import { warmUpHttpClient } from './warm-up-http-client.ts';

/** Options of `createSendCloudTransport`; every field documents its default. */
export interface SendCloudTransportOptions {
  /**
   * Base URL of SendCloud API v2, e.g. `https://api.sendcloud.net/apiv2` (the config layer's
   * default) or a loopback fake `http://127.0.0.1:<port>/apiv2`; `/mail/send` is appended. No
   * default here: the caller decides.
   */
  readonly endpoint: string;
  readonly apiUser: string;
  readonly apiKey: string;
  /** `labelId` sent with every mail (a label created in SendCloud beforehand). Default: none sent. */
  readonly labelId?: string;
  /** Whole-request budget (connect, send, answer, body). Default 10 000. */
  readonly timeoutMs?: number;
  /** Source of "now" for Retry-After dates. Default `systemClock`. */
  readonly clock?: Clock;
}

const DEFAULT_TIMEOUT_MS = 10_000;

interface Envelope {
  readonly result?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly info?: { readonly emailIdList?: unknown } | null;
}

/**
 * Reads a `mail/send` answer: resolves with its emailIds (possibly none) when `result` is true, or
 * throws the classified ProviderError it means.
 */
async function readAnswer(res: Response, nowMs: number): Promise<string[]> {
  const text = await res.text();
  if (res.status !== 200) throw sendCloudHttpError(res.status, text, res.headers.get('retry-after'), nowMs);
  let body: Envelope;
  try {
    body = JSON.parse(text) as Envelope;
  } catch (err) {
    throw sendCloudInvalidResponse('invalid JSON', text, err);
  }
  if (typeof body !== 'object' || body === null) throw sendCloudInvalidResponse('a body that is not an object', text);
  if (body.result === true) {
    const ids = body.info?.emailIdList;
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }
  const code = typeof body.statusCode === 'string' ? Number(body.statusCode) : body.statusCode;
  if (body.result !== false || typeof code !== 'number' || !Number.isInteger(code))
    throw sendCloudInvalidResponse('a body without result and statusCode', text);
  throw sendCloudErrorAnswer(code, typeof body.message === 'string' ? body.message : '');
}

/** emailId → its recipient (`<messageId><index>$<recipient>`, §B.13), lower-cased; ids without `$` are skipped. */
function idsByRecipient(emailIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of emailIds) {
    const at = id.indexOf('$');
    if (at !== -1) out.set(id.slice(at + 1).toLowerCase(), id);
  }
  return out;
}

/**
 * A MailTransport over SendCloud API v2 `mail/send`. Guarantees: a provider request becomes one
 * POST to `<endpoint>/mail/send` (see toSendCloudCalls: more only past 100 recipients in a list),
 * urlencoded, or multipart with `attachments` parts when the message has attachments (see
 * sendCloudBody), `apiUser`/`apiKey` as form fields, over keep-alive connections (Node's global
 * fetch). On `result: true` every recipient of the call is accepted, its response naming its
 * emailId (the provider's message id) when SendCloud listed one for it. Every failure is a
 * ProviderError whose `kind` sendcloud-classify.ts decided: `SendCloud.<statusCode>` for
 * `result: false`, `HTTP.<status>` for a non-200 answer, `Network.Timeout` beyond `timeoutMs`,
 * `Network.<errno>` for socket failures, `Network.InvalidResponse` for a 200 that is not
 * SendCloud's envelope. When the first call fails the whole request throws; when a later one does,
 * the earlier calls' recipients are accepted and the rest carry that error, so nothing accepted is
 * sent twice. `close()` is idempotent, waits for in-flight sends, and makes later sends throw
 * `Network.TransportClosed`.
 */
export function createSendCloudTransport(options: SendCloudTransportOptions): MailTransport {
  const url = `${options.endpoint.replace(/\/+$/u, '')}/mail/send`;
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credentials = { apiUser: options.apiUser, apiKey: options.apiKey };
  const callOptions = options.labelId === undefined ? {} : { labelId: options.labelId };

  async function call(fields: readonly SendCloudField[], message: MailMessage): Promise<string[]> {
    const body = sendCloudBody(credentials, fields, message.attachments);
    return postForAnswer(
      url,
      { headers: { accept: 'application/json' }, body },
      { timeoutMs, read: (res) => readAnswer(res, clock.now()), networkError: (err) => sendCloudNetworkError(err, timeoutMs) },
    );
  }

  async function sendOnce(request: TransportRequest): Promise<TransportResult> {
    return sendInCalls(request, toSendCloudCalls(request.message, request.recipients, callOptions), async (c) => {
      const ids = idsByRecipient(await call(c.fields, request.message));
      return c.recipients.map((recipient): RecipientOutcome => {
        const id = ids.get(recipient.toLowerCase());
        return {
          recipient,
          accepted: true,
          response: id === undefined ? 'accepted by SendCloud (no emailId listed)' : `accepted by SendCloud as emailId ${id}`,
        };
      });
    });
  }

  return {
    kind: 'sendcloud',
    ...trackedSends(sendOnce, sendCloudTransportClosed),
    async warmUp() {
      // The call builder and both body encoders run once here so they are compiled before the first slot.
      const message = warmUpMessage(clock.now(), 'Warm-up');
      for (const c of toSendCloudCalls(message, message.to, callOptions)) {
        sendCloudBody(credentials, c.fields, []);
        sendCloudBody(credentials, c.fields, [{ filename: 'warm-up.txt', contentBase64: '' }]);
      }
      await warmUpHttpClient();
    },
  };
}
