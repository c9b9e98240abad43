import { isEngineError } from '@postmill/core';
import type { EmailIdentityRecord } from '@postmill/store';
import { DKIM_KEY_PENDING, DKIM_SELECTOR, SPF_INCLUDE_PLACEHOLDER } from '../../tencent/identity-dns-records.ts';
import { actions } from '../action.ts';
import { AliyunApiError } from '../aliyun-api-error.ts';
import type { DirectMailPort } from '../engine-port.ts';
import type { ActionParams } from '../params.ts';
import { minuteTime, pageOf, utcSeconds } from '../wire-values.ts';

/**
 * Postmill trusts a domain for sending from its creation (until DNS verification lands), so its
 * DomainStatus is 0 (usable). The DNS record statuses are 1 (not passed) because nothing has been
 * checked: honest about the records, and sending is allowed anyway.
 */
const DOMAIN_USABLE = 0;
const RECORD_NOT_CHECKED = '1';

async function domainById(port: DirectMailPort, params: ActionParams): Promise<EmailIdentityRecord> {
  const domainId = params.requiredInt('DomainId', { min: 1 });
  const name = await port.ids.nameOf('domain', domainId);
  if (name === undefined) throw new AliyunApiError('domain-id-not-found', { domainId });
  try {
    return await port.domains.get(name);
  } catch (err) {
    // The id outlives a deleted domain; answer in the caller's terms (its DomainId).
    if (isEngineError(err, 'domain-not-found')) throw new AliyunApiError('domain-id-not-found', { domainId }, { cause: err });
    throw err;
  }
}

function domainRow(domain: EmailIdentityRecord, domainId: number): Record<string, unknown> {
  return {
    DomainId: domainId,
    DomainName: domain.name,
    DomainStatus: DOMAIN_USABLE,
    ConfirmStatus: RECORD_NOT_CHECKED,
    CnameAuthStatus: RECORD_NOT_CHECKED,
    MxAuthStatus: RECORD_NOT_CHECKED,
    SpfAuthStatus: RECORD_NOT_CHECKED,
    IcpStatus: 0,
    DomainRecord: `postmill.${domain.name}`,
    CreateTime: minuteTime(domain.createdAt),
    UtcCreateTime: utcSeconds(domain.createdAt),
  };
}

/** Domains: CreateDomain, QueryDomainByParam, DescDomain, CheckDomain, DeleteDomain. */
export const domainActions = actions({
  async CreateDomain(params, { port }) {
    const domain = await port.domains.create({ name: params.required('DomainName', { maxLength: 253 }) });
    return { DomainId: await port.ids.idFor('domain', domain.name) };
  },

  async QueryDomainByParam(params, { port }) {
    const keyword = params.optional('KeyWord', { maxLength: 253 })?.toLowerCase();
    const status = params.optionalInt('Status', { min: 0, max: 4 });
    const page = params.page({ defaultSize: 10, maxSize: 100 });
    const all = await port.readAll((page) => port.domains.list(page));
    const matching = all.filter((d) => (keyword === undefined || d.name.includes(keyword)) && (status === undefined || status === DOMAIN_USABLE));
    const { rows, ...counts } = pageOf(matching, page);
    const ids = await port.ids.idsFor(
      'domain',
      rows.map((d) => d.name),
    );
    return { ...counts, data: { domain: rows.map((d, i) => domainRow(d, ids[i] ?? 0)) } };
  },

  async DescDomain(params, { port }) {
    const domain = await domainById(port, params);
    return {
      DomainName: domain.name,
      DomainStatus: String(DOMAIN_USABLE),
      DomainType: '',
      CreateTime: minuteTime(domain.createdAt),
      HostRecord: `postmill.${domain.name}`,
      SpfAuthStatus: RECORD_NOT_CHECKED,
      SpfRecord: `include:${SPF_INCLUDE_PLACEHOLDER}`,
      SpfRecordV2: `v=spf1 include:${SPF_INCLUDE_PLACEHOLDER} ~all`,
      DkimAuthStatus: RECORD_NOT_CHECKED,
      DkimRR: `${DKIM_SELECTOR}._domainkey`,
      DkimPublicKey: `v=DKIM1; k=rsa; p=${DKIM_KEY_PENDING}`,
      DmarcAuthStatus: Number(RECORD_NOT_CHECKED),
      DmarcHostRecord: '_dmarc',
      DmarcRecord: 'v=DMARC1; p=none',
      MxAuthStatus: RECORD_NOT_CHECKED,
      MxRecord: '',
      CnameAuthStatus: RECORD_NOT_CHECKED,
      CnameConfirmStatus: RECORD_NOT_CHECKED,
      IcpStatus: '0',
    };
  },

  async CheckDomain(params, { port }) {
    await domainById(port, params);
    return { DomainStatus: DOMAIN_USABLE };
  },

  async DeleteDomain(params, { port }) {
    const domain = await domainById(port, params);
    await port.domains.delete(domain.name);
    return {};
  },
});
