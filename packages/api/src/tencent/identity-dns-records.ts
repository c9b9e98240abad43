/** Tencent's `DNSAttributes` struct: one DNS record a sender domain should publish. */
export interface DnsAttributes {
  readonly Type: 'TXT' | 'CNAME' | 'A' | 'MX';
  readonly SendDomain: string;
  readonly ExpectedValue: string;
  readonly CurrentValue: string;
  readonly Status: boolean;
}

/**
 * Placeholder `include:` target of the suggested SPF record. `.invalid` is reserved (RFC 2606) and
 * never resolves, so a record copied unedited fails visibly instead of silently authorising the
 * wrong servers. Replace it with the SPF of the relay Postmill sends through (e.g. `qcloudmail.com`
 * for Tencent SES, or `ip4:` mechanisms for your own SMTP server).
 */
export const SPF_INCLUDE_PLACEHOLDER = 'spf.postmill.invalid';

/** DKIM selector Postmill will sign with: the key is published at `postmill._domainkey.<domain>`. */
export const DKIM_SELECTOR = 'postmill';

/** Stands in for the DKIM public key until DKIM signing exists; deliberately not a key. */
export const DKIM_KEY_PENDING = '(generated when DKIM signing lands)';

/**
 * The SPF, DKIM and DMARC TXT records a user should publish for `domain`, as Tencent's
 * DNSAttributes. Guarantees honesty about what Postmill has checked, which today is nothing:
 * every `Status` is false and every `CurrentValue` is "" because Postmill does no DNS lookups yet
 * (sending is allowed anyway: a domain is trusted on creation until verification lands). The DKIM
 * value carries no key because none is generated yet; DMARC starts at `p=none` (monitor only).
 */
export function expectedDnsAttributes(domain: string): DnsAttributes[] {
  const record = (SendDomain: string, ExpectedValue: string): DnsAttributes => ({ Type: 'TXT', SendDomain, ExpectedValue, CurrentValue: '', Status: false });
  return [
    record(domain, `v=spf1 include:${SPF_INCLUDE_PLACEHOLDER} ~all`),
    record(`${DKIM_SELECTOR}._domainkey.${domain}`, `v=DKIM1; k=rsa; p=${DKIM_KEY_PENDING}`),
    record(`_dmarc.${domain}`, 'v=DMARC1; p=none'),
  ];
}
