import {
  type Clock,
  type MailMessage,
  type MailTransport,
  ProviderError,
  type RecipientOutcome,
  systemClock,
  type TransportRequest,
  type TransportResult,
} from '@postmill/core';
import { postForAnswer, sendInCalls, warmUpMessage } from './http-transport.ts';
import { sendCloudErrorAnswer, sendCloudHttpError, sendCloudInvalidResponse, sendCloudNetworkError, sendCloudTransportClosed } from './sendcloud-classify.ts';
import { type SendCloudCall, type SendCloudField, sendCloudBody, toSendCloudCalls } from './sendcloud-form.ts';
import { personalCall, SENDCLOUD_MAX_PERSONAL, sendCloudPersonalGroups } from './sendcloud-personal.ts';
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
  /**
   * Most personal mails one `mail/send` makes with `xsmtpapi` (SENDCLOUD_BATCH_RECIPIENTS), 1 to
   * 100. Default 100, SendCloud's cap on `xsmtpapi.to` (40827).
   */
  readonly personalBatchSize?: number;
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
 *
 * Personal messages (`sendPersonalised`): a group of `personalisedGroups` (at most
 * `personalBatchSize`, ≤ 100) is ONE `mail/send` with `xsmtpapi` `to` + `sub` over one skeleton
 * whose substitution gives each recipient exactly its own subject, html and plain (see
 * personalCall, deriveSubstitution); each recipient's response names its emailId from
 * `info.emailIdList` (`…$<recipient>`). Messages that cannot share a call (a per-recipient
 * List-Unsubscribe or other header, different senders, Reply-To or attachments, or texts whose
 * skeleton does not verify) are groups of one: a plain `send` each. Grouped mails carry
 * SendCloud's own Message-ID, not Postmill's (`headers` is per call).
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

  const outcomesOf = (recipients: readonly string[], emailIds: readonly string[]): RecipientOutcome[] => {
    const ids = idsByRecipient(emailIds);
    return recipients.map((recipient): RecipientOutcome => {
      const id = ids.get(recipient.toLowerCase());
      return {
        recipient,
        accepted: true,
        response: id === undefined ? 'accepted by SendCloud (no emailId listed)' : `accepted by SendCloud as emailId ${id}`,
      };
    });
  };

  async function sendOnce(request: TransportRequest): Promise<TransportResult> {
    return sendInCalls(request, toSendCloudCalls(request.message, request.recipients, callOptions), async (c) =>
      outcomesOf(c.recipients, await call(c.fields, request.message)),
    );
  }

  async function sendPersonalOnce(requests: readonly TransportRequest[]): Promise<TransportResult> {
    const [first] = requests;
    if (first === undefined) return { outcomes: [] };
    const together: SendCloudCall | undefined = requests.length === 1 ? undefined : personalCall(requests, callOptions);
    if (together) return { outcomes: outcomesOf(together.recipients, await call(together.fields, first.message)) };
    // Messages that cannot share a call (the caller did not group them with personalisedGroups):
    // one call each, in order; a failure of the first throws, a later one fails the rest with it.
    const outcomes: RecipientOutcome[] = [];
    for (const request of requests) {
      try {
        outcomes.push(...(await sendOnce(request)).outcomes);
      } catch (err) {
        if (outcomes.length === 0) throw err;
        const error = err instanceof ProviderError ? err : sendCloudInvalidResponse('an unexpected failure', String(err), err);
        for (const r of requests.slice(requests.indexOf(request)))
          outcomes.push(...r.recipients.map((recipient): RecipientOutcome => ({ recipient, accepted: false, error })));
        break;
      }
    }
    return { outcomes };
  }

  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  const tracked = <T>(start: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(sendCloudTransportClosed());
    const p = start();
    inFlight.add(p);
    const forget = (): void => void inFlight.delete(p);
    p.then(forget, forget);
    return p;
  };
  const personalBatchSize = Math.max(1, Math.min(options.personalBatchSize ?? SENDCLOUD_MAX_PERSONAL, SENDCLOUD_MAX_PERSONAL));

  return {
    kind: 'sendcloud',
    send: (request) => tracked(() => sendOnce(request)),
    sendPersonalised: (requests) => tracked(() => sendPersonalOnce(requests)),
    personalisedGroups: (requests) => sendCloudPersonalGroups(requests, personalBatchSize),
    personalisedBatchSize: personalBatchSize,
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
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
