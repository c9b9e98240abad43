import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

/**
 * Cloud instance-metadata services. Refused by default even where their range would be allowed
 * (AWS's IPv6 one is unique-local, Alibaba's sits in carrier-grade NAT space, others are link-local).
 */
const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', '169.254.0.23', '100.100.100.200', 'fd00:ec2::254'];

/** Host names of metadata services, refused before any DNS lookup. Compared lower-cased, without a trailing dot. */
const METADATA_HOST_NAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'metadata.tencentyun.com',
  'instance-data',
  'instance-data.ec2.internal',
]);

/**
 * Ranges no webhook goes to unless an allow CIDR names them: nothing on them is a customer's HTTP
 * server on purpose. ipaddr.js's `reserved` includes the documentation ranges (192.0.2/24,
 * 198.51.100/24, 203.0.113/24, 2001:db8::/32) and 240/4.
 */
const REFUSED_RANGES = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'reserved']);
/** Private networks: allowed unless `allowPrivate` is false (a self-hosted Postmill often posts to its own network). */
const PRIVATE_RANGES = new Set(['private', 'uniqueLocal', 'carrierGradeNat']);

/** What may be a webhook target; every field documents its default. */
export interface TargetPolicyOptions {
  /** CIDRs allowed although the defaults refuse them (e.g. `127.0.0.0/8` for a receiver on this host). Default none. */
  readonly allowCidrs?: readonly string[];
  /** CIDRs refused although the defaults allow them; they win over `allowCidrs`. Default none. */
  readonly denyCidrs?: readonly string[];
  /** Private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Default true. */
  readonly allowPrivate?: boolean;
}

/** Why a target was refused: a stable code per reason. */
export type TargetRefusal = 'denied-cidr' | 'metadata' | 'refused-range' | 'private' | 'not-an-address';

/**
 * Decides whether Postmill may connect to an address. Guarantees: the decision is made on the
 * address itself (IPv4-mapped and NAT64 IPv6 forms are judged as the IPv4 address they carry),
 * explicit deny CIDRs win over allow CIDRs, allow CIDRs win over the defaults, and the defaults
 * refuse link-local, loopback, unspecified, multicast, broadcast, reserved (documentation, 240/4)
 * and cloud-metadata addresses. Pure: no DNS, no I/O.
 */
export class TargetPolicy {
  private readonly allow: Cidr[];
  private readonly deny: Cidr[];
  private readonly metadata: Address[];
  private readonly allowPrivate: boolean;

  constructor(options: TargetPolicyOptions = {}) {
    this.allow = (options.allowCidrs ?? []).map(parseCidr);
    this.deny = (options.denyCidrs ?? []).map(parseCidr);
    this.metadata = METADATA_ADDRESSES.map((a) => ipaddr.parse(a));
    this.allowPrivate = options.allowPrivate ?? true;
  }

  /** The refusal for `address` (a literal IPv4 or IPv6 address), or undefined when it may be connected to. */
  refusalOf(address: string): TargetRefusal | undefined {
    const ip = canonical(address);
    if (!ip) return 'not-an-address';
    if (this.deny.some((c) => matches(ip, c))) return 'denied-cidr';
    if (this.allow.some((c) => matches(ip, c))) return undefined;
    if (this.metadata.some((m) => m.kind() === ip.kind() && m.toNormalizedString() === ip.toNormalizedString())) return 'metadata';
    const range = ip.range();
    if (REFUSED_RANGES.has(range)) return 'refused-range';
    if (PRIVATE_RANGES.has(range) && !this.allowPrivate) return 'private';
    return undefined;
  }

  /** The refusal for a host name that is known without resolving it (a metadata service), else undefined. */
  refusalOfHostName(host: string): TargetRefusal | undefined {
    const name = host.toLowerCase().replace(/\.$/u, '');
    return METADATA_HOST_NAMES.has(name) ? 'metadata' : undefined;
  }
}

/** True when `value` is a CIDR (`10.0.0.0/8`, `fe80::/10`) or a single address; config validation uses it. */
export function isValidCidr(value: string): boolean {
  return ipaddr.isValidCIDR(value) || ipaddr.isValid(value);
}

function parseCidr(value: string): Cidr {
  const v = value.trim();
  if (ipaddr.isValidCIDR(v)) return ipaddr.parseCIDR(v);
  if (ipaddr.isValid(v)) {
    const ip = ipaddr.parse(v);
    return [ip, ip.kind() === 'ipv4' ? 32 : 128];
  }
  throw new RangeError(`not a CIDR: "${value}"`);
}

/** The address as judged: IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms become their IPv4 address. */
function canonical(address: string): Address | undefined {
  const bare = address.replace(/^\[|\]$/gu, '').replace(/%.*$/u, '');
  if (!ipaddr.isValid(bare)) return undefined;
  const ip = ipaddr.process(bare);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).range() === 'rfc6052') {
    const bytes = ip.toByteArray().slice(12);
    return ipaddr.fromByteArray(bytes);
  }
  return ip;
}

function matches(ip: Address, [net, bits]: Cidr): boolean {
  if (ip.kind() !== net.kind()) {
    // An IPv4 CIDR also covers the IPv4-mapped form of its addresses, and the reverse.
    if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return ip.match([(net as ipaddr.IPv6).toIPv4Address(), bits - 96]);
    }
    return false;
  }
  return ip.match([net, bits]);
}
