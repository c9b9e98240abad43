import { EngineError, domainOf, isValidDomain, isValidEmail, normalizeEmail } from '@postmill/core';
import type {
  CampaignOperations,
  DomainOperations,
  MessageOperations,
  ReceiverEntryInput,
  ReceiverListOperations,
  SenderOperations,
  StatisticsOperations,
  SuppressionOperations,
  TemplateInput,
  TemplateOperations,
} from '@postmill/engine';
import {
  type EmailIdentityRecord,
  ResourceIdStore,
  SendAnnotationStore,
  SenderProfileStore,
  TagStore,
  TemplateProfileStore,
} from '@postmill/store';
import type { ApiDeps } from '../api-deps.ts';
import { type ReplyVerification, replyVerificationMessage } from './reply-verification-mail.ts';

/**
 * What the DirectMail actions call: the dialect-neutral operations (domains, senders, templates,
 * receiver lists, typed as the engine declares them) and DirectMail's own stores (numeric ids,
 * sender and template profiles, tags). Guarantees: every refusal is an EngineError of the engine's
 * closed set, never a vendor code. This is the one file to change when the engine's implementation
 * lands: its operations replace the thin store-backed ones below.
 */
export interface DirectMailPort {
  readonly messages: MessageOperations;
  readonly campaigns: CampaignOperations;
  readonly domains: DomainOperations;
  readonly senders: SenderOperations;
  readonly templates: TemplateOperations;
  readonly receivers: ReceiverListOperations;
  readonly suppressions: Pick<SuppressionOperations, 'add' | 'list' | 'remove'>;
  readonly statistics: StatisticsOperations;
  readonly ids: ResourceIdStore;
  readonly senderProfiles: SenderProfileStore;
  readonly templateProfiles: TemplateProfileStore;
  readonly tags: TagStore;
  readonly annotations: SendAnnotationStore;
  /** Queues the reply-to verification mail (through the delivery queue and transport, like any mail). */
  sendReplyVerification(verification: ReplyVerification, nowMs: number): Promise<void>;
}

function domainNotFound(name: string): EngineError<'domain-not-found'> {
  return new EngineError('domain-not-found', `The domain ${name} does not exist.`, { context: { domain: name } });
}

function storeDomains(deps: ApiDeps): DomainOperations {
  const get = async (name: string): Promise<EmailIdentityRecord> => {
    const record = await deps.identities.get(name.toLowerCase());
    if (!record) throw domainNotFound(name);
    return record;
  };
  return {
    async create(input) {
      if (!isValidDomain(input.name)) {
        throw new EngineError('invalid-input', (n) => `${n('domain')} "${input.name}" is not a valid domain name.`, { context: { field: 'domain' } });
      }
      return deps.identities.create({ name: input.name.toLowerCase(), dkimOption: input.dkimOption ?? 0, tags: input.tags ?? [] });
    },
    get,
    async list(query) {
      return deps.identities.list(query.offset, query.limit);
    },
    async update(name, change) {
      const record = await get(name);
      if (change.dkimOption === undefined) return record;
      return (await deps.identities.setDkimOption(record.name, change.dkimOption)) ?? Promise.reject(domainNotFound(name));
    },
    async delete(name) {
      const senders = await deps.addresses.countForDomain(name);
      if (senders > 0) {
        throw new EngineError('domain-has-senders', `The domain ${name} still has ${senders} sender addresses; delete them first.`, {
          context: { domain: name, senders },
        });
      }
      if (!(await deps.identities.delete(name.toLowerCase()))) throw domainNotFound(name);
    },
  };
}

function senderNotFound(address: string): EngineError<'sender-not-found'> {
  return new EngineError('sender-not-found', `The sender address ${address} does not exist.`, { context: { address } });
}

function storeSenders(deps: ApiDeps): SenderOperations {
  return {
    async create(input) {
      if (!isValidEmail(input.address)) {
        throw new EngineError('invalid-address', (n) => `${n('from')} "${input.address}" is not a valid email address.`, {
          context: { field: 'from', value: input.address },
        });
      }
      const domain = domainOf(input.address);
      if (!(await deps.identities.get(domain))) throw domainNotFound(domain);
      return deps.addresses.create({ address: normalizeEmail(input.address), ...(input.senderName === undefined ? {} : { senderName: input.senderName }) });
    },
    async get(address) {
      const record = await deps.addresses.get(address);
      if (!record) throw senderNotFound(address);
      return record;
    },
    list: () => deps.addresses.list(),
    async delete(address) {
      if (!(await deps.addresses.delete(address))) throw senderNotFound(address);
    },
  };
}

function templateNotFound(templateId: number): EngineError<'template-not-found'> {
  return new EngineError('template-not-found', `The template ${templateId} does not exist.`, { context: { templateId } });
}

function storeTemplates(deps: ApiDeps): TemplateOperations {
  const content = (input: TemplateInput) => {
    if (input.html === undefined && input.text === undefined) {
      throw new EngineError('missing-content', (n) => `${n('template.content')} is required.`, { context: { field: 'template.content' } });
    }
    return { name: input.name, ...(input.html === undefined ? {} : { html: input.html }), ...(input.text === undefined ? {} : { text: input.text }) };
  };
  return {
    create: async (input) => deps.templates.create(content(input)),
    async get(templateId) {
      const record = await deps.templates.get(templateId);
      if (!record) throw templateNotFound(templateId);
      return record;
    },
    list: (query) => deps.templates.list(query.offset, query.limit),
    update: (templateId, input) => deps.templates.update(templateId, content(input)),
    async delete(templateId) {
      if (!(await deps.templates.delete(templateId))) throw templateNotFound(templateId);
    },
  };
}

function storeReceivers(deps: ApiDeps): ReceiverListOperations {
  const notFound = (receiverId: number) =>
    new EngineError('receiver-list-not-found', `The receiver list ${receiverId} does not exist.`, { context: { receiverId } });
  return {
    create: (input) => deps.receivers.create({ name: input.name, desc: input.desc ?? '' }),
    append: (receiverId: number, entries: readonly ReceiverEntryInput[]) =>
      deps.receivers.append(
        receiverId,
        entries.map((e) => ({ email: e.email, ...(e.templateData === undefined ? {} : { templateData: e.templateData }) })),
        { maxListSize: deps.limits.maxReceiverListSize, maxTemplateDataBytes: deps.limits.maxTemplateDataBytes },
      ),
    list: (query) => deps.receivers.list(query),
    async details(receiverId, query) {
      const page = await deps.receivers.details(receiverId, query);
      if (!page) throw notFound(receiverId);
      return page;
    },
    async delete(receiverId) {
      if (!(await deps.receivers.delete(receiverId))) throw notFound(receiverId);
    },
  };
}

function storeSuppressions(deps: ApiDeps): DirectMailPort['suppressions'] {
  return {
    add: (emails, options) => deps.blacklist.add(emails, options?.expireDate),
    list: (query) => deps.blacklist.list(query),
    async remove(emails) {
      await deps.blacklist.remove(emails);
    },
  };
}

function storeStatistics(deps: ApiDeps): StatisticsOperations {
  return {
    report: (input) =>
      deps.statistics.report({ startDate: input.startDate, endDate: input.endDate, ...(input.senderDomain === undefined ? {} : { domain: input.senderDomain }) }),
  };
}

// Sending and campaigns are the engine's (validation, rendering, queueing are not copied here);
// until its implementation is merged they refuse clearly instead of half-working.
function awaitingEngine(operation: string): never {
  throw new EngineError('unsupported', `${operation} is not available in this build yet: it runs on the dialect-neutral engine.`, {
    context: { feature: operation },
  });
}

const PENDING_MESSAGES: MessageOperations = { accept: async () => awaitingEngine('sending') };

const PENDING_CAMPAIGNS: CampaignOperations = {
  create: async () => awaitingEngine('batch sending'),
  get: async () => awaitingEngine('batch tasks'),
  list: async () => awaitingEngine('batch tasks'),
  pause: async () => awaitingEngine('batch tasks'),
  resume: async () => awaitingEngine('batch tasks'),
  cancel: async () => awaitingEngine('batch tasks'),
  retryFailures: async () => awaitingEngine('batch tasks'),
};

/** Builds the port once per server (stores hold no connection of their own: they use deps.redis). */
export function directMailPort(deps: ApiDeps): DirectMailPort {
  const stores = { redis: deps.redis, keys: deps.keys };
  return {
    messages: PENDING_MESSAGES,
    campaigns: PENDING_CAMPAIGNS,
    domains: storeDomains(deps),
    senders: storeSenders(deps),
    templates: storeTemplates(deps),
    receivers: storeReceivers(deps),
    suppressions: storeSuppressions(deps),
    statistics: storeStatistics(deps),
    ids: new ResourceIdStore(stores),
    senderProfiles: new SenderProfileStore(stores),
    templateProfiles: new TemplateProfileStore(stores),
    tags: new TagStore({ ...stores, clock: deps.clock }),
    annotations: new SendAnnotationStore(stores),
    sendReplyVerification: (verification, nowMs) => deps.producer.enqueue(replyVerificationMessage(verification, nowMs)),
  };
}
