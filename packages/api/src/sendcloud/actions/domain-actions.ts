import { isEngineError, isValidDomain } from '@postmill/core';
import type { EmailIdentityRecord } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';
import { DKIM_KEY_PENDING, DKIM_SELECTOR, SPF_INCLUDE_PLACEHOLDER } from '../../tencent/identity-dns-records.ts';
import { moduleActions } from '../action.ts';
import type { SendCloudParams } from '../params.ts';
import { SendCloudFailure } from '../sendcloud-failure.ts';
import type { SendCloudStatusCode } from '../status-codes.ts';
import { listInfo, paging, sendCloudTime } from './management-values.ts';

const MAX_DOMAIN_LENGTH = 250;
/** Most domains one `domain/list` may name (each costs a read). */
const MAX_NAMES_PER_LISTING = 100;
/**
 * SendCloud's verify bitmask (dkim 1, spf 2, mx 4, cname 8, verifyKey 16). Postmill does no DNS
 * lookups yet, so nothing is verified: 0 (sending is allowed anyway, as in the other dialects).
 */
const VERIFIED_NOTHING = 0;
/** SendCloud's domain type 1 (normal), shown as text; Postmill has no test domains (type 0). */
const TYPE_NORMAL = 1;
const TYPE_NORMAL_TEXT = '普通';

function domainParam(
  params: SendCloudParams,
  name: 'name' | 'newName',
  codes: { missing: SendCloudStatusCode; tooLong: SendCloudStatusCode; bad: SendCloudStatusCode },
) {
  const value = params.required(name, codes.missing).trim().toLowerCase();
  if (value.length > MAX_DOMAIN_LENGTH) throw new SendCloudFailure(codes.tooLong);
  if (value.includes(';')) throw new SendCloudFailure(41013);
  // SendCloud refuses its own names; so does Postmill, to keep the rule clients know.
  if (!isValidDomain(value) || value.includes('sendcloud') || value.includes('ifaxin')) throw new SendCloudFailure(codes.bad, value.slice(0, 60));
  return value;
}

/**
 * A domain as SendCloud lists it, with the DNS records to publish in SendCloud's dotted field
 * names: the SPF, DKIM records Tencent's DescribeEmailIdentity and DirectMail's DescDomain show
 * (identity-dns-records.ts); no MX (Postmill receives no mail), no CNAME (no tracking domain) and
 * no verify key (nothing is checked yet), each as "".
 */
export function domainRow(deps: ApiDeps, domain: EmailIdentityRecord): Record<string, unknown> {
  const at = sendCloudTime(domain.createdAt, deps.timeZone);
  return {
    name: domain.name,
    type: TYPE_NORMAL_TEXT,
    verify: VERIFIED_NOTHING,
    'verifyKey.domain': '',
    'verifyKey.value': '',
    'spf.domain': domain.name,
    'spf.value': `v=spf1 include:${SPF_INCLUDE_PLACEHOLDER} ~all`,
    'dkim.domain': `${DKIM_SELECTOR}._domainkey.${domain.name}`,
    'dkim.value': `v=DKIM1; k=rsa; p=${DKIM_KEY_PENDING}`,
    'cname.domain': '',
    'cname.value': '',
    'mx.domain': '',
    'mx.value': '',
    gmtCreated: at,
    gmtUpdated: at,
  };
}

/**
 * `verify`: `N`, `>N` or `<N`, as a test of a verify bitmask. 41009 sent empty; 41011 (verify解析错误)
 * a comparison whose number cannot be read (`>`, `>abc`); 41010 (不符合规则) anything else.
 */
function verifyFilter(params: SendCloudParams): ((verify: number) => boolean) | undefined {
  if (params.present('verify')) params.required('verify', 41009);
  const raw = params.optional('verify')?.trim();
  if (raw === undefined) return undefined;
  const m = /^([<>]?)(\d{1,2})$/u.exec(raw);
  if (!m && /^[<>]/u.test(raw)) throw new SendCloudFailure(41011, `no number after ${raw.slice(0, 1)}`);
  if (!m) throw new SendCloudFailure(41010);
  const n = Number(m[2]);
  return m[1] === '>' ? (v) => v > n : m[1] === '<' ? (v) => v < n : (v) => v === n;
}

async function existingDomain(deps: ApiDeps, name: string): Promise<EmailIdentityRecord> {
  try {
    return await deps.engine.domains.get(name);
  } catch (err) {
    if (isEngineError(err, 'domain-not-found')) throw new SendCloudFailure(41014, name);
    throw err;
  }
}

/**
 * Domains (`domain/list|add|update`) on the engine's sender domains (Tencent's identities,
 * DirectMail's domains). Postmill has no setting for a domain count, so 41012 is never answered.
 * `update` renames: it creates the new domain and deletes the old one, refused with 41016 while
 * sender addresses use the old one (a rename would strand them).
 */
export const domainActions = moduleActions('domain', {
  async list(params, { deps }) {
    const names = params.list('name').map((n) => n.toLowerCase());
    if (names.length > MAX_NAMES_PER_LISTING) throw new SendCloudFailure(41013, `at most ${MAX_NAMES_PER_LISTING} names`);
    if (params.present('type')) params.required('type', 41007);
    const type = params.optionalInt('type', 41008, { min: 0, max: 1 });
    const verify = verifyFilter(params);
    const { start, limit } = paging(params, deps.limits.maxPageLimit);
    // Every Postmill domain is normal and unverified: the filters keep all domains or none.
    const keepsAll = (type === undefined || type === TYPE_NORMAL) && (verify === undefined || verify(VERIFIED_NOTHING));
    if (!keepsAll || limit === 0) return { info: listInfo([]) };
    if (names.length > 0) {
      const found: EmailIdentityRecord[] = [];
      for (const name of new Set(names)) {
        try {
          found.push(await deps.engine.domains.get(name));
        } catch (err) {
          if (!isEngineError(err, 'domain-not-found') && !isEngineError(err, 'invalid-input')) throw err;
        }
      }
      return { info: listInfo(found.slice(start, start + limit).map((d) => domainRow(deps, d))) };
    }
    const page = await deps.engine.domains.list({ offset: start, limit });
    return { info: listInfo(page.items.map((d) => domainRow(deps, d))) };
  },

  async add(params, { deps }) {
    const name = domainParam(params, 'name', { missing: 41001, tooLong: 41002, bad: 41003 });
    try {
      return { info: { data: domainRow(deps, await deps.engine.domains.create({ name })) } };
    } catch (err) {
      if (isEngineError(err, 'already-exists')) throw new SendCloudFailure(41015, `the domain ${name} exists`);
      throw err;
    }
  },

  async update(params, { deps }) {
    const name = domainParam(params, 'name', { missing: 41001, tooLong: 41002, bad: 41003 });
    const newName = domainParam(params, 'newName', { missing: 41004, tooLong: 41005, bad: 41006 });
    const current = await existingDomain(deps, name);
    if (newName === name) return { info: { data: domainRow(deps, current) } };
    let renamed: EmailIdentityRecord;
    try {
      renamed = await deps.engine.domains.create({ name: newName, dkimOption: current.dkimOption, tags: current.tags });
    } catch (err) {
      if (isEngineError(err, 'already-exists')) throw new SendCloudFailure(41016, `the domain ${newName} exists`);
      throw err;
    }
    try {
      await deps.engine.domains.delete(name);
    } catch (err) {
      await deps.engine.domains.delete(newName);
      if (isEngineError(err, 'domain-has-senders')) throw new SendCloudFailure(41016, `sender addresses use ${name}: delete them first`);
      throw err;
    }
    return { info: { data: domainRow(deps, renamed) } };
  },
});
