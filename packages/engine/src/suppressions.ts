import { EngineError } from '@postmill/core';
import type { EngineDeps } from './engine-deps.ts';
import { checkPageLimit } from './page-limit.ts';
import type { SuppressionOperations } from './suppression-operations.ts';

// Both batch operations share the upload bounds of receiver lists: at least one address, at most
// `maxReceiverUpload`.
function checkEmailBatch(emails: readonly string[], max: number): void {
  if (emails.length === 0)
    throw new EngineError('missing-parameter', (f) => `${f('emails')} must contain at least one address.`, { context: { field: 'emails' } });
  if (emails.length > max) {
    throw new EngineError('limit-exceeded', (f) => `${f('emails')} may contain at most ${max} addresses, got ${emails.length}.`, {
      context: { limit: 'batch-size', max, count: emails.length },
    });
  }
}

/** The custom blacklist (addresses never sent to, until their expiry date) and unsubscribes. */
export function suppressionOperations(deps: EngineDeps): SuppressionOperations {
  return {
    async add(emails, options = {}) {
      checkEmailBatch(emails, deps.limits.maxReceiverUpload);
      return options.expireDate ? deps.blacklist.add(emails, options.expireDate) : deps.blacklist.add(emails);
    },

    async list(query) {
      checkPageLimit(query.limit, deps.limits.maxPageLimit);
      return deps.blacklist.list(query);
    },

    update: async (id, change) => deps.blacklist.update(id, { email: change.email, expireDate: change.expireDate ?? '' }),

    async remove(emails) {
      checkEmailBatch(emails, deps.limits.maxReceiverUpload);
      await deps.blacklist.remove(emails);
    },

    isUnsubscribed: async (sender, recipient) => deps.suppressions.isUnsubscribed(sender, recipient),
  };
}
