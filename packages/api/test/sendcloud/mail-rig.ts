import { randomBytes } from 'node:crypto';
import { DEFAULT_RETRY_POLICY, type Limits } from '@postmill/core';
import {
  campaignChunkProcessor,
  createCampaignQueue,
  createDeliveryQueue,
  type IntakePump,
  SharedRateLimiter,
  startCampaignWorker,
  startDeliveryWorker,
  startIntakePump,
  TaskSpecCache,
} from '@postmill/queue';
import { DeliveryIntakeStore, DomainHoldStore, RunDayIndex, TagStore } from '@postmill/store';
import { createOutboxTransport } from '@postmill/transports';
import { type ParsedMail, simpleParser } from 'mailparser';
import { pino } from 'pino';
import type { ApiUserType, SendCloudActionContext, SendCloudAnswer } from '../../src/sendcloud/action.ts';
import { mailActions } from '../../src/sendcloud/actions/mail-actions.ts';
import { type SendCloudAttachment, SendCloudParams } from '../../src/sendcloud/params.ts';
import { isSendCloudFailure } from '../../src/sendcloud/sendcloud-failure.ts';
import { type ApiHarness, type ApiHarnessOptions, startApiHarness } from '../api-harness.ts';

/** One mail as it arrived in the outbox, parsed. */
export interface Arrived {
  readonly postmillMessageId: string;
  readonly recipients: readonly string[];
  readonly mail: ParsedMail;
}

/**
 * The API harness (real Redis, real engine) plus a delivery worker, an intake pump and a campaign
 * worker delivering to the outbox, so a test sees the mail that actually arrives. `call` runs a
 * SendCloud action handler directly, as the wire will.
 */
export interface MailRig {
  readonly api: ApiHarness;
  /** A sender domain and address created for this rig: `news@<domain>`. */
  readonly sender: string;
  readonly domain: string;
  readonly apiUser: string;
  /** Runs `<module>/<action>` with these fields (and attachments, and file parts of other names such as `embeddedImage`); resolves with the answer. */
  call(
    path: string,
    fields: Record<string, string>,
    attachments?: SendCloudAttachment[],
    files?: Record<string, SendCloudAttachment[]>,
  ): Promise<SendCloudAnswer>;
  /** The status code a call is refused with (throws when it is not refused with a SendCloudFailure). */
  refusal(path: string, fields: Record<string, string>, attachments?: SendCloudAttachment[], files?: Record<string, SendCloudAttachment[]>): Promise<number>;
  /** Waits until `count` mails that `filter` picks (by Postmill message id and envelope recipients) are in the outbox; answers every one it picks, parsed, oldest first. */
  arrived(count: number, filter?: (postmillMessageId: string, recipients: readonly string[]) => boolean, timeoutMs?: number): Promise<Arrived[]>;
  /** Makes the calls from now on those of an apiUser of this type (default `both`, the built-in credential's). */
  actAs(type: ApiUserType): void;
  /** Creates a label (a tag) and answers its id. */
  label(name: string): Promise<number>;
  close(): Promise<void>;
}

export const unique = () => randomBytes(4).toString('hex');

export async function startMailRig(options: { limits?: Partial<Limits>; sendCloud?: ApiHarnessOptions['sendCloud'] } = {}): Promise<MailRig> {
  // The deployment keeps Tencent's caps (50 recipients, 4 MiB): SendCloud's own (100 per field,
  // 10 MiB) reach the engine as the dialect's per-call limits, which is what these tests exercise.
  const api = await startApiHarness({ ...(options.limits ? { limits: options.limits } : {}), ...(options.sendCloud ? { sendCloud: options.sendCloud } : {}) });
  const { deps } = api;
  const logger = pino({ level: 'silent' });
  const policy = { ...DEFAULT_RETRY_POLICY, backoffBaseMs: 50 };
  const deliveryQueue = createDeliveryQueue(deps.redis, deps.keys.bullPrefix);
  const campaignQueue = createCampaignQueue(deps.redis, deps.keys.bullPrefix);
  const transport = createOutboxTransport({ store: deps.outbox });
  const limiter = new SharedRateLimiter({ redis: deps.redis, keys: deps.keys, name: 'outbox', ratePerSecond: 5000 });
  const holds = new DomainHoldStore({ redis: deps.redis, keys: deps.keys, clock: deps.clock });
  const shared = { suppressions: deps.suppressions, blacklist: deps.blacklist, holds, statistics: deps.statistics };
  const campaignDeps = {
    clock: deps.clock,
    transport,
    limiter,
    deliveryQueue,
    campaignQueue,
    tasks: deps.tasks,
    runDays: new RunDayIndex({ redis: deps.redis, keys: deps.keys, retentionDays: 30 }),
    specs: new TaskSpecCache({ tasks: deps.tasks }),
    receivers: deps.receivers,
    ...shared,
    policy,
    claimLeaseMs: 5000,
    chunkSize: 10,
    chunkConcurrency: 4,
    dispatchHighWater: 2000,
    timeZone: deps.timeZone,
    statusRetentionDays: 30,
    publicUrl: deps.publicUrl,
    unsubscribeSecret: deps.unsubscribeSecret,
    logger,
  };
  const pump: IntakePump = startIntakePump({
    intake: new DeliveryIntakeStore({ redis: deps.redis, keys: deps.keys }),
    redis: deps.redis,
    queue: deliveryQueue,
    policy,
    logger,
  });
  const workers: { close(): Promise<void> }[] = [
    startDeliveryWorker({
      connection: deps.redis,
      bullPrefix: deps.keys.bullPrefix,
      concurrency: 8,
      deps: {
        clock: deps.clock,
        transport,
        limiter,
        queue: deliveryQueue,
        messages: deps.messages,
        ...shared,
        policy,
        chunkSize: 50,
        publicUrl: deps.publicUrl,
        unsubscribeSecret: deps.unsubscribeSecret,
        logger,
      },
      sendChunk: campaignChunkProcessor(campaignDeps),
    }),
    startCampaignWorker({ connection: deps.redis, bullPrefix: deps.keys.bullPrefix, concurrency: 2, deps: campaignDeps }),
  ];

  const domain = `sc${unique()}.example.com`;
  const sender = `news@${domain}`;
  await deps.engine.domains.create({ name: domain });
  await deps.engine.senders.create({ address: sender });
  const apiUser = `user_${unique()}`;
  let apiUserType: ApiUserType = 'both';
  const ctx = (): SendCloudActionContext => ({ requestId: unique(), deps, log: logger, apiUser, apiUserType, nowMs: deps.clock.now() });
  const handler = (path: string) => {
    const action = mailActions.find((a) => a.path === path);
    if (!action) throw new Error(`no action ${path}`);
    return action;
  };
  const call = (path: string, fields: Record<string, string>, attachments: SendCloudAttachment[] = [], files: Record<string, SendCloudAttachment[]> = {}) =>
    handler(path).handle(new SendCloudParams(new Map(Object.entries(fields)), attachments, new Map(Object.entries(files))), ctx());

  return {
    api,
    sender,
    domain,
    apiUser,
    call,
    async refusal(path, fields, attachments, files) {
      try {
        await call(path, fields, attachments, files);
      } catch (err) {
        if (isSendCloudFailure(err)) return err.statusCode;
        throw err;
      }
      throw new Error(`${path} was not refused`);
    },
    async arrived(count, filter = () => true, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { items } = await deps.outbox.list(0, 1000);
        const mine = items.filter((e) => filter(e.postmillMessageId, e.recipients)).reverse();
        if (mine.length >= count) {
          return Promise.all(
            mine.map(async (e) => {
              const stored = await deps.outbox.get(e.id);
              if (!stored) throw new Error(`outbox entry ${e.id} vanished`);
              return { postmillMessageId: e.postmillMessageId, recipients: e.recipients, mail: await simpleParser(stored.mime) };
            }),
          );
        }
        if (Date.now() > deadline) throw new Error(`only ${mine.length} of ${count} mails arrived`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    actAs(type) {
      apiUserType = type;
    },
    async label(name) {
      const created = await new TagStore({ redis: deps.redis, keys: deps.keys, clock: deps.clock }).create({ name, description: '' });
      if (!created) throw new Error(`label ${name} exists`);
      return created.id;
    },
    async close() {
      await pump.stop();
      await Promise.all(workers.map((w) => w.close()));
      await transport.close();
      await deliveryQueue.close();
      await campaignQueue.close();
      await api.close();
    },
  };
}

/** The Postmill message id an emailId names (`<id>.sc<index>$<recipient>`). */
export function messageOf(emailId: string): string {
  return emailId.slice(0, emailId.indexOf('$')).replace(/\.sc\d+$/u, '');
}
