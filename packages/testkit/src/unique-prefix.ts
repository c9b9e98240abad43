import { randomBytes } from 'node:crypto';

/** A key prefix (and queue namespace) no other test uses: `t<name>-<random>`. */
export function uniquePrefix(name = 'test'): string {
  return `t${name.replace(/[^A-Za-z0-9]/gu, '').slice(0, 16)}-${randomBytes(4).toString('hex')}`;
}
