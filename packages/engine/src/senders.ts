import { domainOf, EngineError, isValidEmail } from '@postmill/core';
import type { EngineDeps } from './engine-deps.ts';
import type { SenderOperations } from './sender-operations.ts';

/** Longest sender name, in characters (code points). */
export const MAX_SENDER_NAME_LENGTH = 128;

// ':', '<', '>' and line breaks would break a `Name <addr>` From header; quotes and every other
// control character are refused too, matching what parseMailbox accepts in a From alias, so a
// stored name can always be rendered into a From header without escaping or injection.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const ILLEGAL_SENDER_NAME = /[:<>"\u0000-\u001f\u007f\u2028\u2029]/u;

function notFound(address: string): EngineError {
  return new EngineError('sender-not-found', `The sender address \`${address}\` does not exist.`, { context: { address } });
}

/**
 * Sender addresses. Guarantees: an address is created only on an existing domain (exact domain,
 * case-insensitive; else `domain-not-found`); its name can always be written into a From header
 * (`invalid-input`, field `senderName`); duplicates and the cap are refused atomically by the store
 * (`already-exists`, `limit-exceeded`). Whichever dialect deletes a sender, the store removes its
 * record and its profile in one script, and a create starts with no profile, so no crash or race
 * between the two can hand a re-created address the settings of the deleted one.
 */
export function senderOperations(deps: EngineDeps): SenderOperations {
  return {
    async create(input) {
      if (!isValidEmail(input.address)) {
        throw new EngineError('invalid-address', (f) => `${f('address')} is not a valid email address: "${input.address}".`, {
          context: { field: 'address', value: input.address },
        });
      }
      const name = input.senderName;
      if (name !== undefined && (ILLEGAL_SENDER_NAME.test(name) || [...name].length > MAX_SENDER_NAME_LENGTH)) {
        throw new EngineError(
          'invalid-input',
          (f) => `${f('senderName')} may not contain ':', '<', '>', quotes or control characters, nor exceed ${MAX_SENDER_NAME_LENGTH} characters.`,
          { context: { field: 'senderName' } },
        );
      }
      const domain = domainOf(input.address);
      if (!(await deps.identities.get(domain))) {
        throw new EngineError('domain-not-found', `Create the sender domain \`${domain}\` before addresses on it.`, { context: { domain } });
      }
      return deps.addresses.create(name ? { address: input.address, senderName: name } : { address: input.address });
    },

    async get(address) {
      const sender = await deps.addresses.get(address);
      if (!sender) throw notFound(address);
      return sender;
    },

    list: async () => deps.addresses.list(),

    async delete(address) {
      if (!(await deps.addresses.delete(address))) throw notFound(address);
    },
  };
}
