import { describe, expect, it } from 'vitest';
import { TargetPolicy } from './target-policy.ts';
import { urlRefusalOf } from './target-url.ts';

describe('urlRefusalOf', () => {
  const policy = new TargetPolicy();

  it('accepts http and https URLs on public addresses, private networks and host names', () => {
    for (const url of ['https://hooks.example.com/tencent', 'http://10.0.0.5:8080/cb', 'https://93.184.216.34/x', 'http://[2606:4700::1]/x']) {
      expect(urlRefusalOf(policy, url), url).toBeUndefined();
    }
  });

  it('refuses what is not an absolute http(s) URL', () => {
    expect(urlRefusalOf(policy, 'hooks.example.com/cb')).toBe('malformed');
    expect(urlRefusalOf(policy, 'https://hooks.example.com/a b')).toBe('malformed');
    expect(urlRefusalOf(policy, `https://hooks.example.com/${'a'.repeat(1024)}`)).toBe('malformed');
    expect(urlRefusalOf(policy, 'ftp://hooks.example.com/cb')).toBe('scheme');
    expect(urlRefusalOf(policy, 'file:///etc/passwd')).toBe('scheme');
  });

  it('refuses metadata services, loopback and link-local in every spelling the URL parser accepts, without any lookup', () => {
    for (const url of [
      'http://169.254.169.254/latest',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://metadata.google.internal./x',
      'http://100.100.100.200/',
    ]) {
      expect(urlRefusalOf(policy, url), url).toBe('metadata');
    }
    expect(urlRefusalOf(policy, 'http://127.0.0.1:9000/cb')).toBe('refused-range');
    expect(urlRefusalOf(policy, 'http://[::ffff:127.0.0.1]/cb')).toBe('refused-range');
    expect(urlRefusalOf(policy, 'http://169.254.1.1/cb')).toBe('refused-range');
  });

  it('applies the configured CIDRs: an allowed loopback passes, a denied private network does not', () => {
    const custom = new TargetPolicy({ allowCidrs: ['127.0.0.0/8'], denyCidrs: ['10.0.0.0/8'] });
    expect(urlRefusalOf(custom, 'http://127.0.0.1:9000/cb')).toBeUndefined();
    expect(urlRefusalOf(custom, 'http://10.1.2.3/cb')).toBe('denied-cidr');
    expect(urlRefusalOf(new TargetPolicy({ allowPrivate: false }), 'http://192.168.1.10/cb')).toBe('private');
  });
});
