import { createHash } from 'node:crypto';
import type { SendCloudAction } from '../../src/sendcloud/action.ts';
import { SENDCLOUD_ACTIONS } from '../../src/sendcloud/action-registry.ts';
import { SendCloudFailure } from '../../src/sendcloud/sendcloud-failure.ts';

/**
 * Probe actions for the wire tests, served beside the real ones: `probe/echo` answers what the wire
 * parsed (every parameter, each attachment's name, type, size and SHA-256, who authenticated);
 * `probe/postonly` is POST-only like mail/send; `probe/refuse` throws the SendCloudFailure its
 * `code` names; `probe/crash` throws a plain Error (an internal fault).
 */
export const PROBE_ACTIONS: readonly SendCloudAction[] = [
  {
    path: 'probe/echo',
    methods: ['GET', 'POST'],
    async handle(params, ctx) {
      const values = Object.fromEntries(params.names().map((n) => [n, params.optional(n) ?? '']));
      const attachments = params.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.length,
        sha256: createHash('sha256').update(a.content).digest('hex'),
      }));
      return { info: { params: values, attachments, apiUser: ctx.apiUser, apiUserType: ctx.apiUserType } };
    },
  },
  { path: 'probe/postonly', methods: ['POST'], handle: async () => ({ info: { ok: true } }) },
  {
    path: 'probe/refuse',
    methods: ['GET', 'POST'],
    async handle(params) {
      throw new SendCloudFailure(Number(params.required('code', 40902)) as 40902, params.optional('detail'));
    },
  },
  {
    path: 'probe/crash',
    methods: ['GET', 'POST'],
    async handle() {
      throw new Error('probe crash');
    },
  },
];

/** The real actions plus the probes. */
export const ACTIONS_WITH_PROBES: readonly SendCloudAction[] = [...SENDCLOUD_ACTIONS, ...PROBE_ACTIONS];
