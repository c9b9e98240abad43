import { randomBytes } from 'node:crypto';
import { pct, signV3 } from '@postmill/acs';
import {
  type Clock,
  type MailMessage,
  type MailTransport,
  type RecipientOutcome,
  systemClock,
  type TransportRequest,
  type TransportResult,
} from '@postmill/core';
import { dmAttachmentsUnsupported, dmErrorAnswer, dmInvalidResponse, dmNetworkError, dmTransportClosed } from './aliyun-dm-classify.ts';
import { postForAnswer, sendInCalls, trackedSends, warmUpMessage } from './http-transport.ts';
import { warmUpHttpClient } from './warm-up-http-client.ts';

/** Options of `createAliyunDmTransport`; every field documents its default. */
export interface AliyunDmTransportOptions {
  /**
   * Base URL of the DirectMail API, e.g. `https://dm.aliyuncs.com` (the config layer's default) or
   * a loopback fake `http://127.0.0.1:<port>`. No default here: the caller decides.
   */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** `TagName` sent with every mail (a tag created in DirectMail beforehand). Default: none sent. */
  readonly tagName?: string;
  /** Whole-request budget (connect, send, answer, body). Default 10 000. */
  readonly timeoutMs?: number;
  /** Source of `x-acs-date`. Default `systemClock`. */
  readonly clock?: Clock;
}

const API_VERSION = '2015-11-23';
const DEFAULT_TIMEOUT_MS = 10_000;
/** SingleSendMail takes at most 100 addresses in ToAddress. */
const MAX_TO_ADDRESSES = 100;

/** One SingleSendMail call: its form parameters and the request recipients it delivers to. */
export interface SingleSendMailCall {
  readonly params: Readonly<Record<string, string>>;
  readonly recipients: readonly string[];
}

/** `Name <address>` or a bare address, as MailMessage.replyTo holds it. */
function splitMailbox(value: string): { address: string; name?: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^<>]+)>\s*$/u.exec(value);
  if (!m) return { address: value.trim() };
  const name = m[1]?.trim() ?? '';
  return { address: m[2]?.trim() ?? '', ...(name === '' ? {} : { name }) };
}

/**
 * Maps one provider request to SingleSendMail calls. Guarantees: every request recipient is
 * delivered exactly once; those the message lists in `to` or `cc` go in `ToAddress` (DirectMail
 * has no Cc: they show in the To header), at most 100 per call, in request order; the others (Bcc,
 * or listed nowhere) go in `BccAddress` of the first call, so they never appear in a header; a
 * request with Bcc recipients only is addressed To the sender address itself (SingleSendMail
 * requires a ToAddress), as mail clients address Bcc-only mail, and the sender address receives
 * that copy. Every call carries `AccountName` (the envelope sender), `AddressType=1` (that very
 * address), `ReplyToAddress=false` (Postmill's reply-to goes in `ReplyAddress`/`ReplyAddressAlias`,
 * not the console's), `FromAlias`, `Subject`, `HtmlBody`/`TextBody` as present, `TagName` when
 * given, and `Headers`: the Message-ID and the message's own headers (DirectMail documents
 * Message-ID, List-Unsubscribe and List-Unsubscribe-Post as overridable; at most 10 headers).
 * Not carried, as DirectMail has no field for them: `headerFrom` (the From header is always the
 * sender address with its alias) and `dateMs` (DirectMail dates the mail).
 */
export function toSingleSendMailCalls(message: MailMessage, recipients: readonly string[], tagName?: string): SingleSendMailCall[] {
  const visible = new Set([...message.to, ...message.cc].map((a) => a.toLowerCase()));
  const to = recipients.filter((r) => visible.has(r.toLowerCase()));
  const bcc = recipients.filter((r) => !visible.has(r.toLowerCase()));
  const common: Record<string, string> = {
    AccountName: message.from.address,
    AddressType: '1',
    ReplyToAddress: 'false',
    Subject: message.subject,
  };
  if (message.from.name) common.FromAlias = message.from.name;
  if (message.html !== undefined) common.HtmlBody = message.html;
  if (message.text !== undefined) common.TextBody = message.text;
  if (message.replyTo !== undefined) {
    const reply = splitMailbox(message.replyTo);
    common.ReplyAddress = reply.address;
    if (reply.name !== undefined) common.ReplyAddressAlias = reply.name;
  }
  if (tagName !== undefined) common.TagName = tagName;
  common.Headers = JSON.stringify({ 'Message-ID': message.messageId, ...message.headers });
  const groups: string[][] = [];
  for (let i = 0; i < to.length; i += MAX_TO_ADDRESSES) groups.push(to.slice(i, i + MAX_TO_ADDRESSES));
  if (groups.length === 0) {
    return bcc.length === 0 ? [] : [{ params: { ...common, ToAddress: message.from.address, BccAddress: bcc.join(',') }, recipients: bcc }];
  }
  return groups.map((group, i) => {
    const hidden = i === 0 ? bcc : [];
    return {
      params: { ...common, ToAddress: group.join(','), ...(hidden.length > 0 ? { BccAddress: hidden.join(',') } : {}) },
      recipients: [...group, ...hidden],
    };
  });
}

/** The form body, every name and value RFC 3986-encoded (what the signature covers is decoded from it). */
function formBody(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${pct(name)}=${pct(value)}`)
    .join('&');
}

/** `x-acs-date`: UTC, one-second resolution, as the SDKs send it. */
const acsDate = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Reads a SingleSendMail answer: resolves with the EnvId or throws the classified ProviderError it means. */
async function readAnswer(res: Response, nowMs: number): Promise<string> {
  const text = await res.text();
  if (res.status !== 200) throw dmErrorAnswer(res.status, text, res.headers.get('retry-after'), nowMs);
  let body: { EnvId?: unknown };
  try {
    body = JSON.parse(text) as { EnvId?: unknown };
  } catch (err) {
    throw dmInvalidResponse('invalid JSON', text, err);
  }
  if (typeof body?.EnvId !== 'string' || body.EnvId === '') throw dmInvalidResponse('a body without EnvId', text);
  return body.EnvId;
}

/**
 * A MailTransport over Alibaba Cloud DirectMail `SingleSendMail` (API 2015-11-23). Guarantees: a
 * provider request becomes one signed (`ACS3-HMAC-SHA256`, via @postmill/acs, a fresh 64-hex nonce
 * each) form POST (see toSingleSendMailCalls: more only past 100 To recipients), over keep-alive
 * connections (Node's global fetch). On `EnvId` every recipient of the call is accepted. Every
 * failure is a ProviderError whose `kind` aliyun-dm-classify.ts decided: DirectMail's `Code`
 * as-is, `HTTP.<status>` for a non-DirectMail answer, `Network.Timeout` beyond `timeoutMs`,
 * `Network.<errno>` for socket failures, `Network.InvalidResponse` for a 200 without EnvId,
 * `Transport.AttachmentsUnsupported` for a message with attachments (refused before any request).
 * When the first call fails the whole request throws; when a later one does (more than 100 To
 * recipients), the earlier calls' recipients are accepted and the rest carry that error, so nothing
 * accepted is sent twice. `close()` is idempotent, waits for in-flight sends, and makes later
 * sends throw `Network.TransportClosed`.
 */
export function createAliyunDmTransport(options: AliyunDmTransportOptions): MailTransport {
  const url = new URL('/', options.endpoint);
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credentials = { accessKeyId: options.accessKeyId, secret: options.accessKeySecret };

  function signed(params: Readonly<Record<string, string>>, nowMs: number): { headers: Record<string, string>; body: string } {
    const body = formBody(params);
    const headers = signV3(
      { host: url.host, action: 'SingleSendMail', version: API_VERSION, date: acsDate(nowMs), nonce: randomBytes(32).toString('hex'), body },
      credentials,
    );
    return { headers: { ...headers, accept: 'application/json' }, body };
  }

  async function call(params: Readonly<Record<string, string>>): Promise<string> {
    const nowMs = clock.now();
    return postForAnswer(url, signed(params, nowMs), {
      timeoutMs,
      read: (res) => readAnswer(res, nowMs),
      networkError: (err) => dmNetworkError(err, timeoutMs),
    });
  }

  async function sendOnce(request: TransportRequest): Promise<TransportResult> {
    if (request.message.attachments.length > 0) throw dmAttachmentsUnsupported(request.message.attachments.length);
    return sendInCalls(request, toSingleSendMailCalls(request.message, request.recipients, options.tagName), async (c) => {
      const response = `accepted by DirectMail as EnvId ${await call(c.params)}`;
      return c.recipients.map((recipient): RecipientOutcome => ({ recipient, accepted: true, response }));
    });
  }

  return {
    kind: 'aliyun-dm',
    ...trackedSends(sendOnce, dmTransportClosed),
    async warmUp() {
      // The call builder and signing run once here so they are compiled before the first slot.
      const message = warmUpMessage(clock.now(), 'Warm-up');
      for (const c of toSingleSendMailCalls(message, message.to, options.tagName)) signed(c.params, clock.now());
      await warmUpHttpClient();
    },
  };
}
