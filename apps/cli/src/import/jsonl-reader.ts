import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isEmailKey, type ReaderItem } from './reader-item.ts';

const isDataKey = (key: string) => ['data', 'templatedata'].includes(key.trim().toLowerCase());
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shorten(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** TemplateData from a `data` / `TemplateData` value: an object, or a JSON string passed on as written. */
function dataValue(value: unknown): { data: string | undefined } | { error: string } {
  if (value === null || value === undefined) return { data: undefined };
  if (typeof value === 'string') return { data: value.trim() === '' ? undefined : value };
  if (isPlainObject(value)) return { data: Object.keys(value).length === 0 ? undefined : JSON.stringify(value) };
  return { error: 'the data must be an object (or a JSON object as a string)' };
}

/** Judges one non-blank line. */
export function parseJsonlLine(text: string, line: number): ReaderItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line, error: { code: 'BadJson', message: `${(err as Error).message} in ${shorten(JSON.stringify(text))}`, fatal: false } };
  }
  if (!isPlainObject(value)) return { line, error: { code: 'NotAnObject', message: 'the line is JSON but not an object', fatal: false } };
  const keys = Object.keys(value);
  const emailKeys = keys.filter(isEmailKey);
  const [emailKey] = emailKeys;
  const email = emailKey === undefined ? undefined : value[emailKey];
  if (emailKey === undefined || typeof email !== 'string') {
    return { line, error: { code: 'MissingEmail', message: 'the object has no "email" string', fatal: false } };
  }
  if (emailKeys.length > 1) return { line, email, error: { code: 'BadData', message: `the object has ${emailKeys.length} email keys`, fatal: false } };
  const dataKeys = keys.filter(isDataKey);
  let data: string | undefined;
  if (dataKeys.length > 0) {
    const [dataKey] = dataKeys;
    if (dataKeys.length > 1 || dataKey === undefined) {
      return { line, email, error: { code: 'BadData', message: `the object has both ${dataKeys.join(' and ')}`, fatal: false } };
    }
    const read = dataValue(value[dataKey]);
    if ('error' in read) return { line, email, error: { code: 'BadData', message: read.error, fatal: false } };
    data = read.data;
  } else {
    const rest = Object.fromEntries(keys.filter((k) => k !== emailKey).map((k) => [k, value[k]]));
    data = Object.keys(rest).length === 0 ? undefined : JSON.stringify(rest);
  }
  return data === undefined ? { line, email } : { line, email, data };
}

/**
 * Streams recipients from JSON Lines: one object per line with `email` (any case) and either a
 * `data` / `TemplateData` object (or JSON string) or the other keys as the TemplateData. Guarantees:
 * items come out in file order with their 1-based line numbers; blank lines are skipped; a line
 * that is not such an object is yielded as an error and reading goes on; one line at a time in memory.
 * Values are passed on as written: the API judges them (strings, numbers and booleans are allowed).
 */
export async function* readJsonlEntries(input: Readable): AsyncGenerator<ReaderItem> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/u, '') : raw;
      if (text.trim() === '') continue;
      yield parseJsonlLine(text, line);
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
