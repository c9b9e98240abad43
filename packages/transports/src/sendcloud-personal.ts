import type { TransportRequest } from '@postmill/core';
import { type SendCloudCall, type SendCloudCallOptions, type SendCloudField, toSendCloudCalls } from './sendcloud-form.ts';
import { deriveSubstitution } from './sendcloud-substitution.ts';

/** SendCloud's cap on `xsmtpapi.to` (40827): the most personal mails one `mail/send` makes. */
export const SENDCLOUD_MAX_PERSONAL = 100;

/** SendCloud's cap on the `xsmtpapi` JSON (§B.5: "total length ≤ 1 MB"), in UTF-8 bytes. */
const MAX_XSMTPAPI_BYTES = 1_048_576;

/**
 * What personal messages must share to go in one `mail/send` with `xsmtpapi`: everything SendCloud
 * takes once per call. The sender and its name, Reply-To, the attachments, and every header but
 * Message-ID (`headers` is one JSON object per call and SendCloud substitutes no variable in it, so
 * a per-recipient List-Unsubscribe header keeps each message in a call of its own). Undefined when
 * the request is not a personal message (one recipient, alone in To, no Cc/Bcc) or sets a From
 * header of its own, as `mail/send` cannot carry it.
 */
function sharedPartOf(request: TransportRequest): string | undefined {
  const m = request.message;
  const [recipient, ...others] = request.recipients;
  if (recipient === undefined || others.length > 0) return undefined;
  if (m.to.length !== 1 || m.to[0]?.toLowerCase() !== recipient.toLowerCase() || m.cc.length > 0 || m.bcc.length > 0) return undefined;
  if (m.headerFrom !== undefined) return undefined;
  const { 'Message-ID': _id, ...headers } = m.headers;
  return JSON.stringify([m.from.address, m.from.name ?? '', m.replyTo ?? '', m.html === undefined, m.text === undefined, headers, m.attachments]);
}

/**
 * Splits personal messages into the groups one `mail/send` can carry, in order of first
 * appearance. Guarantees: every request is in exactly one group; a group of two or more shares
 * everything `sharedPartOf` names, has at most `maxPerCall` messages (capped at 100), its texts
 * have a verified skeleton (deriveSubstitution) and its `xsmtpapi` stays within SendCloud's 1 MB
 * (a run whose values pass it is halved until they fit); every other message is a group of its own.
 * `options.diffBudgetMs` is deriveSubstitution's time budget (default its own, 200 ms).
 */
export function sendCloudPersonalGroups(
  requests: readonly TransportRequest[],
  maxPerCall: number,
  options: { readonly diffBudgetMs?: number } = {},
): TransportRequest[][] {
  const size = Math.max(1, Math.min(maxPerCall, SENDCLOUD_MAX_PERSONAL));
  const byShared = new Map<string, TransportRequest[]>();
  const groups: TransportRequest[][] = [];
  for (const request of requests) {
    const shared = sharedPartOf(request);
    const bucket = shared === undefined ? undefined : byShared.get(shared);
    if (shared === undefined) groups.push([request]);
    else if (bucket) bucket.push(request);
    else byShared.set(shared, [request]);
  }
  for (const bucket of byShared.values()) {
    for (let i = 0; i < bucket.length; i += size) groups.push(...groupsOf(bucket.slice(i, i + size), options.diffBudgetMs));
  }
  return groups;
}

/** `part` as one group when it can share a call; halves of it when only its xsmtpapi is too large; else one group per message. */
function groupsOf(part: TransportRequest[], diffBudgetMs: number | undefined): TransportRequest[][] {
  if (part.length < 2) return [part];
  const built = buildPersonalCall(part, {}, diffBudgetMs);
  if (built.kind === 'call') return [part];
  if (built.kind === 'too-large') {
    const half = Math.ceil(part.length / 2);
    return [...groupsOf(part.slice(0, half), diffBudgetMs), ...groupsOf(part.slice(half), diffBudgetMs)];
  }
  return part.map((r) => [r]);
}

/**
 * The one `mail/send` call of several personal messages, or undefined when they cannot share one
 * (see sendCloudPersonalGroups) or their `xsmtpapi` would pass SendCloud's 1 MB.
 * Guarantees: `xsmtpapi` is `{"to": [each recipient], "sub": {...}}` in request order, and
 * SendCloud's substitution of `sub` into the skeleton's subject, html and plain gives each
 * recipient exactly its own rendered texts (deriveSubstitution verified it); the other fields are
 * those toSendCloudCalls sends for the first message, without `to` and without the Message-ID
 * header (SendCloud gives each mail its own; the emailId is the response).
 */
export function personalCall(requests: readonly TransportRequest[], options: SendCloudCallOptions = {}): SendCloudCall | undefined {
  const built = buildPersonalCall(requests, options);
  return built.kind === 'call' ? built.call : undefined;
}

type Built = { readonly kind: 'call'; readonly call: SendCloudCall } | { readonly kind: 'too-large' } | { readonly kind: 'cannot-share' };

function buildPersonalCall(requests: readonly TransportRequest[], options: SendCloudCallOptions, diffBudgetMs?: number): Built {
  const cannot: Built = { kind: 'cannot-share' };
  const [first] = requests;
  if (!first || requests.length < 2 || requests.length > SENDCLOUD_MAX_PERSONAL) return cannot;
  const shared = sharedPartOf(first);
  if (shared === undefined || !requests.every((r) => sharedPartOf(r) === shared)) return cannot;
  const substitution = deriveSubstitution(
    requests.map(({ message: m }) => ({
      subject: m.subject,
      ...(m.html === undefined ? {} : { html: m.html }),
      ...(m.text === undefined ? {} : { plain: m.text }),
    })),
    diffBudgetMs === undefined ? {} : { budgetMs: diffBudgetMs },
  );
  if (!substitution) return cannot;
  const recipients = requests.flatMap((r) => r.recipients);
  const xsmtpapi = JSON.stringify({ to: recipients, sub: substitution.sub });
  if (Buffer.byteLength(xsmtpapi, 'utf8') > MAX_XSMTPAPI_BYTES) return { kind: 'too-large' };
  const { 'Message-ID': _id, ...headers } = first.message.headers;
  const [template] = toSendCloudCalls({ ...first.message, headers }, first.recipients, options);
  if (!template) return cannot;
  const skeleton: Record<string, string | undefined> = {
    subject: substitution.skeleton.subject,
    html: substitution.skeleton.html,
    plain: substitution.skeleton.plain,
  };
  const fields: SendCloudField[] = [];
  for (const [name, value] of template.fields) {
    if (name === 'to') fields.push(['xsmtpapi', xsmtpapi]);
    else if (name === 'headers') {
      if (Object.keys(headers).length > 0) fields.push([name, JSON.stringify(headers)]);
    } else fields.push([name, skeleton[name] ?? value]);
  }
  return { kind: 'call', call: { fields, recipients } };
}
