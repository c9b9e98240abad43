import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { TargetPolicy, TargetRefusal } from './target-policy.ts';

/** Thrown (through the connect callback) when every address a host resolves to is refused. */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  readonly code = 'Webhook.TargetRefused';
  constructor(
    readonly host: string,
    readonly refusal: TargetRefusal,
    readonly address?: string,
  ) {
    super(`webhook target ${host}${address === undefined || address === host ? '' : ` (${address})`} refused: ${refusal}`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The `lookup` net.connect calls: `(hostname, options, callback)`. */
export type ConnectLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for net/tls.connect that resolves the host once and hands the socket only addresses
 * the policy allows. Guarantees: the address judged is the address connected to (no second
 * resolution, so DNS rebinding between check and connect is impossible); refused addresses are
 * dropped, and when none is left the connection fails with TargetRefusedError before any packet
 * is sent to the host. `resolve` is injectable for tests (default: the system resolver).
 */
export function safeLookup(policy: TargetPolicy, resolve: typeof dnsLookup = dnsLookup): ConnectLookup {
  return (hostname, options, callback) => {
    const byName = policy.refusalOfHostName(hostname);
    if (byName) {
      callback(new TargetRefusedError(hostname, byName) as NodeJS.ErrnoException, []);
      return;
    }
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
    resolve(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 }, (err, addresses) => {
      if (err) {
        callback(err, []);
        return;
      }
      const all = addresses as LookupAddress[];
      const allowed = all.filter((a) => policy.refusalOf(a.address) === undefined);
      const first = allowed[0];
      if (!first) {
        const a = all[0];
        callback(
          new TargetRefusedError(hostname, a ? (policy.refusalOf(a.address) ?? 'refused-range') : 'not-an-address', a?.address) as NodeJS.ErrnoException,
          [],
        );
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}
