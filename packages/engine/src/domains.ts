import { EngineError, isValidDomain } from '@postmill/core';
import type { EmailIdentityRecord } from '@postmill/store';
import type { DomainOperations } from './domain-operations.ts';
import type { EngineDeps } from './engine-deps.ts';
import { checkPageLimit } from './page-limit.ts';

function checkDomain(name: string): string {
  if (!isValidDomain(name))
    throw new EngineError('invalid-input', (f) => `${f('domain')} is not a valid domain name: "${name}".`, { context: { field: 'domain' } });
  return name.toLowerCase();
}

function notFound(name: string): EngineError {
  return new EngineError('domain-not-found', `The sender domain \`${name}\` does not exist.`, { context: { domain: name } });
}

/**
 * Sender domains. Guarantees: a name is a valid domain (`invalid-input`, field `domain`) and is
 * compared lower-cased; a domain with sender addresses is never deleted (`domain-has-senders`).
 * The check and the delete are two steps: an address created in between survives without its
 * domain (senders must not trust an address whose domain is gone).
 */
export function domainOperations(deps: EngineDeps): DomainOperations {
  const existing = async (name: string): Promise<EmailIdentityRecord> => {
    const identity = await deps.identities.get(name);
    if (!identity) throw notFound(name);
    return identity;
  };
  return {
    create: async (input) =>
      deps.identities.create({
        name: checkDomain(input.name),
        dkimOption: input.dkimOption ?? 0,
        tags: (input.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
      }),

    get: async (name) => existing(checkDomain(name)),

    async list(query) {
      const limit = query.limit ?? deps.limits.maxPageLimit;
      const offset = query.offset ?? 0;
      checkPageLimit(limit, deps.limits.maxPageLimit);
      const wanted = query.tags ?? [];
      if (wanted.length === 0) return deps.identities.list(offset, limit);
      // Tags are not indexed; domains are few, so filtering the whole list is cheap.
      const all = await deps.identities.list(0, Number.POSITIVE_INFINITY);
      const matching = all.items.filter((i) => wanted.every((w) => i.tags.some((t) => t.key === w.key && t.value === w.value)));
      return { total: matching.length, items: matching.slice(offset, offset + limit) };
    },

    async update(rawName, change) {
      const name = checkDomain(rawName);
      const identity = change.dkimOption === undefined ? await deps.identities.get(name) : await deps.identities.setDkimOption(name, change.dkimOption);
      if (!identity) throw notFound(name);
      return identity;
    },

    async delete(rawName) {
      const name = checkDomain(rawName);
      await existing(name);
      const senders = await deps.addresses.countForDomain(name);
      if (senders > 0) {
        throw new EngineError('domain-has-senders', `Delete the ${senders} sender address(es) on \`${name}\` first.`, { context: { domain: name, senders } });
      }
      if (!(await deps.identities.delete(name))) throw notFound(name);
    },
  };
}
