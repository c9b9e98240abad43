import { SendCloudFailure } from '../sendcloud-failure.ts';

/** SendCloud's largest value of one member variable, in characters (40531). */
export const MAX_MEMBER_VARIABLE_LENGTH = 1024;

/**
 * `vars` of addressmember/add|update: JSON objects separated by `;`, one per member
 * (`{"money":"99"};{"money":"900"}`). A `;` inside a JSON string is part of it: pieces are joined
 * until they parse. Keys are variable names without `%` (a `%name%` key is read as `name`);
 * values become strings (numbers as written). Refusals: 40522 not JSON objects, 40521 a count
 * other than `members`, 40531 a value over 1024 characters.
 */
export function parseMemberVars(raw: string, memberCount: number): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let pending = '';
  for (const piece of raw.split(';')) {
    pending = pending === '' ? piece : `${pending};${piece}`;
    if (pending.trim() === '') {
      pending = '';
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(pending);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SendCloudFailure(40522, "each member's vars is a JSON object");
    out.push(variables(parsed as Record<string, unknown>));
    pending = '';
  }
  if (pending.trim() !== '') throw new SendCloudFailure(40522);
  if (out.length !== memberCount) throw new SendCloudFailure(40521, `${out.length} vars for ${memberCount} members`);
  return out;
}

function variables(object: Record<string, unknown>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    const name = key.replace(/^%(.*)%$/su, '$1');
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if ([...text].length > MAX_MEMBER_VARIABLE_LENGTH) throw new SendCloudFailure(40531, `variable ${name.slice(0, 64)}`);
    vars[name] = text;
  }
  return vars;
}
