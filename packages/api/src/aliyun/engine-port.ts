import type { Engine } from '@postmill/engine';
import { InvalidAddressStore, ResourceIdStore, SendAnnotationStore, SenderProfileStore, TagStore, TemplateProfileStore } from '@postmill/store';
import type { ApiDeps } from '../api-deps.ts';
import { type ReplyVerification, replyVerificationMessage } from './reply-verification-mail.ts';

/**
 * What the DirectMail actions call: the dialect-neutral engine (every rule of sending, domains,
 * senders, templates, lists, suppression, statistics) and the stores of what only DirectMail has
 * (numeric ids for things stored by name, sender and template profiles, tags, send annotations).
 * Guarantees: every refusal is an EngineError of the engine's closed set, never a vendor code.
 */
export interface DirectMailPort extends Engine {
  readonly ids: ResourceIdStore;
  readonly senderProfiles: SenderProfileStore;
  readonly templateProfiles: TemplateProfileStore;
  readonly tags: TagStore;
  readonly annotations: SendAnnotationStore;
  readonly invalidAddresses: InvalidAddressStore;
  /** Sends the reply-to verification mail through the engine (queue and transport, like any mail). */
  sendReplyVerification(verification: ReplyVerification): Promise<void>;
  /** Every item of a paged listing, read a page (the engine's largest) at a time. */
  readAll<T>(read: (page: { offset: number; limit: number }) => Promise<{ total: number; items: T[] }>): Promise<T[]>;
}

/** Builds the port once per server (the stores hold no connection of their own: they use deps.redis). */
export function directMailPort(deps: ApiDeps): DirectMailPort {
  const stores = { redis: deps.redis, keys: deps.keys };
  const { engine } = deps;
  const pageSize = Math.max(1, deps.limits.maxPageLimit);
  return {
    messages: engine.messages,
    campaigns: engine.campaigns,
    domains: engine.domains,
    senders: engine.senders,
    templates: engine.templates,
    receivers: engine.receivers,
    suppressions: engine.suppressions,
    statistics: engine.statistics,
    deliveries: engine.deliveries,
    events: engine.events,
    ids: new ResourceIdStore(stores),
    senderProfiles: new SenderProfileStore(stores),
    templateProfiles: new TemplateProfileStore({ ...stores, clock: deps.clock }),
    tags: new TagStore({ ...stores, clock: deps.clock }),
    annotations: new SendAnnotationStore(stores),
    invalidAddresses: new InvalidAddressStore({ ...stores, clock: deps.clock }),
    async sendReplyVerification(verification) {
      await engine.messages.accept(replyVerificationMessage(verification));
    },
    async readAll(read) {
      const all = [];
      for (let offset = 0; ; offset += pageSize) {
        const page = await read({ offset, limit: pageSize });
        all.push(...page.items);
        if (page.items.length < pageSize || all.length >= page.total) return all;
      }
    },
  };
}
