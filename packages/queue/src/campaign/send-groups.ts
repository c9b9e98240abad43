import type { MailTransport, TransportRequest } from '@postmill/core';

/**
 * The recipients of a chunk's due sends, grouped into provider requests, in send order. Guarantees:
 * every email is in exactly one group; without `transport.sendPersonalised` each group is one
 * recipient (one `send` each, as before batching); with it, consecutive runs of at most
 * min(`personalisedBatchSize`, `maxPerRequest`) recipients are split by the transport's own
 * `personalisedGroups` into the groups that share ONE provider request (one limiter slot each).
 * `maxPerRequest` is SEND_CHUNK_SIZE: no provider request carries more recipients than that,
 * batched or not. `requestOf` builds (and the caller keeps) each recipient's personal message.
 */
/**
 * The recipients of a chunk's due sends in runs, in send order: each run is split by `sendGroups`
 * alone, so a run's messages can be composed when it is its turn (and dropped after it) instead of
 * all at once. Guarantees: every email is in exactly one run; a run is one recipient without
 * `transport.sendPersonalised`, otherwise at most min(`personalisedBatchSize`, `maxPerRequest`)
 * (the runs `sendGroups` splits a whole chunk into).
 */
export function sendRuns(transport: MailTransport, emails: readonly string[], maxPerRequest: number): string[][] {
  const size = !transport.sendPersonalised || !transport.personalisedGroups ? 1 : runSize(transport, maxPerRequest);
  const out: string[][] = [];
  for (let i = 0; i < emails.length; i += size) out.push(emails.slice(i, i + size));
  return out;
}

const runSize = (transport: MailTransport, maxPerRequest: number) => Math.max(1, Math.min(transport.personalisedBatchSize ?? 1, maxPerRequest));

export function sendGroups(
  transport: MailTransport,
  emails: readonly string[],
  requestOf: (email: string) => TransportRequest,
  maxPerRequest: number,
): string[][] {
  const group = transport.personalisedGroups?.bind(transport);
  if (!transport.sendPersonalised || !group) return emails.map((email) => [email]);
  const size = runSize(transport, maxPerRequest);
  const out: string[][] = [];
  for (let i = 0; i < emails.length; i += size) {
    const batch = emails.slice(i, i + size);
    const requests = batch.map(requestOf);
    const groups = group(requests);
    // The common answer (the whole run is one group, in order) needs no lookups.
    if (groups.length === 1 && inOrder(groups[0] ?? [], requests)) {
      out.push(batch);
      continue;
    }
    const emailOf = new Map(batch.map((email, k) => [requests[k] as TransportRequest, email]));
    const placed = new Set<string>();
    for (const grouped of groups) {
      const emailsOf = grouped.flatMap((r) => emailOf.get(r) ?? []).filter((email) => !placed.has(email));
      for (const email of emailsOf) placed.add(email);
      if (emailsOf.length > 0) out.push(emailsOf);
    }
    // An adapter that left a message out of every group: it goes alone rather than not at all.
    for (const email of batch) if (!placed.has(email)) out.push([email]);
  }
  return out;
}

/** True when `grouped` is `requests`, the same requests in the same order. */
function inOrder(grouped: readonly TransportRequest[], requests: readonly TransportRequest[]): boolean {
  if (grouped.length !== requests.length) return false;
  for (let k = 0; k < requests.length; k++) if (grouped[k] !== requests[k]) return false;
  return true;
}
