/**
 * Decoded request parameters, name → value. A Map, or a record (create records with
 * `Object.create(null)` when names come from the wire, so `__proto__` stays a plain name).
 */
export type AcsParams = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

export function paramEntries(params: AcsParams): Array<readonly [string, string]> {
  return params instanceof Map ? [...params] : Object.entries(params as Readonly<Record<string, string>>);
}

export function paramValue(params: AcsParams, name: string): string | undefined {
  if (params instanceof Map) return params.get(name);
  const record = params as Readonly<Record<string, string>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Sorts by name in UTF-16 code-unit order, as the SDKs' `Object.keys(...).sort()` does; for the
 * ASCII names every Alibaba API uses this is byte order.
 */
export function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
