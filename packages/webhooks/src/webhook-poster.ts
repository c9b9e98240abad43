import type { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { safeLookup, TargetRefusedError } from './safe-lookup.ts';
import type { TargetPolicy } from './target-policy.ts';
import type { WebhookRequest } from './webhook-request.ts';

/** How one POST ended. `refused`: the target is not allowed (no connection was made to it). */
export type PostOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'failed'; readonly status?: number; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

/** Options of the poster; every field documents its default. */
export interface WebhookPosterOptions {
  readonly policy: TargetPolicy;
  /** Longest one POST may take, connection to end of the answer. Default 3 000 (SendCloud's limit). */
  readonly timeoutMs?: number;
  /** Connections kept per origin. Default 10. */
  readonly connectionsPerOrigin?: number;
  /** Resolves host names (tests inject one). Default the system resolver (`dns.lookup`). */
  readonly resolve?: typeof dnsLookup;
}

/** Headers every delivery carries besides the vendor's own body. */
export interface DeliveryHeaders {
  /** The engine's event id: the same on every retry and replay of the event (receivers deduplicate on it). */
  readonly eventId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  /** The event was made by a machine (scanner, proxy), not a person. */
  readonly machine?: boolean;
}

/** The idempotency header: the same value on every delivery of one event. */
export const EVENT_ID_HEADER = 'x-postmill-event-id';

/**
 * Posts webhook requests. Guarantees: a target whose literal address or host name the policy
 * refuses is refused without any connection; a host name is resolved once per connection and only
 * to allowed addresses (safeLookup); redirects are not followed (a 3xx is a failure, so a redirect
 * cannot lead to a refused address); every POST ends within `timeoutMs`; only a 2xx answer counts
 * as delivered; the answer body is drained and discarded. `close()` is idempotent.
 */
export class WebhookPoster {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private closed: Promise<void> | undefined;

  constructor(private readonly o: WebhookPosterOptions) {
    this.timeoutMs = o.timeoutMs ?? 3000;
    this.agent = new Agent({
      connections: o.connectionsPerOrigin ?? 10,
      connect: { lookup: safeLookup(o.policy, o.resolve), timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  async post(url: string, req: WebhookRequest, headers: DeliveryHeaders): Promise<PostOutcome> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { kind: 'refused', reason: 'not a URL' };
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return { kind: 'refused', reason: `scheme ${target.protocol} is not http(s)` };
    if (target.username !== '' || target.password !== '') return { kind: 'refused', reason: 'credentials in the URL' };
    const host = target.hostname.replace(/^\[|\]$/gu, '');
    // A literal address never reaches the lookup (net.connect skips it): judge it here.
    const refusal = isIP(host) ? this.o.policy.refusalOf(host) : this.o.policy.refusalOfHostName(host);
    if (refusal) return { kind: 'refused', reason: new TargetRefusedError(host, refusal).message };
    try {
      const answer = await request(target, {
        method: 'POST',
        dispatcher: this.agent,
        body: req.body,
        headers: {
          'content-type': req.contentType,
          'user-agent': 'Postmill-Webhooks/1',
          [EVENT_ID_HEADER]: headers.eventId,
          'x-postmill-attempt': String(headers.attempt),
          ...(headers.machine ? { 'x-postmill-machine': '1' } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await answer.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (answer.statusCode >= 200 && answer.statusCode < 300) return { kind: 'delivered', status: answer.statusCode };
      return { kind: 'failed', status: answer.statusCode, reason: `HTTP ${answer.statusCode}` };
    } catch (err) {
      const refused = findRefusal(err);
      if (refused) return { kind: 'refused', reason: refused.message };
      return { kind: 'failed', reason: describe(err) };
    }
  }

  close(): Promise<void> {
    this.closed ??= this.agent.close();
    return this.closed;
  }
}

function findRefusal(err: unknown): TargetRefusedError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TargetRefusedError) return e;
    if (e instanceof AggregateError) {
      const inner = e.errors.find((x) => x instanceof TargetRefusedError);
      if (inner) return inner as TargetRefusedError;
    }
  }
  return undefined;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
}
