// Anything shaped like an address: a local part, '@', and a dotted domain.
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/gu;

/**
 * Returns a copy of `value` in which every e-mail address inside a string (at any depth of arrays
 * and plain objects) keeps only the first character of its local part and its domain:
 * `alice@example.org` becomes `a***@example.org`. Guarantees the input is not modified and that
 * values without addresses come back equal.
 */
export function maskEmailAddresses(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, '$1***@$2');
  if (Array.isArray(value)) return value.map(maskEmailAddresses);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskEmailAddresses(v)]));
  }
  return value;
}
