import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { managementActions } from '../../src/sendcloud/actions/management-actions.ts';
import { SendCloudParams } from '../../src/sendcloud/params.ts';
import { isSendCloudFailure } from '../../src/sendcloud/sendcloud-failure.ts';
import type { ApiHarness } from '../api-harness.ts';

/** A SendCloud answer as the envelope carries it (message left out: the wire adds it). */
export interface SendCloudReply {
  readonly result: boolean;
  readonly statusCode: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary answer fields
  readonly info: any;
}

export const unique = (): string => randomBytes(4).toString('hex');

export const API_USER = 'postmill_test';

const log = pino({ level: 'silent' });

/**
 * Runs one management action's handler against the harness's real deps (real Redis), as the
 * wire would after authenticating `apiUser`: a SendCloudFailure becomes `result: false` with its
 * code; an engine error propagates (the wire's error table answers it).
 */
export async function sendcloud(api: ApiHarness, path: string, fields: Record<string, string> = {}, apiUser = API_USER): Promise<SendCloudReply> {
  const action = managementActions.find((a) => a.path === path);
  if (!action) throw new Error(`no SendCloud action ${path}`);
  const ctx = { requestId: unique(), deps: api.deps, log, apiUser, nowMs: api.deps.clock.now() };
  try {
    const answer = await action.handle(new SendCloudParams(new Map(Object.entries(fields))), ctx);
    return { result: true, statusCode: answer.statusCode ?? 200, info: answer.info };
  } catch (err) {
    if (isSendCloudFailure(err)) return { result: false, statusCode: err.statusCode, info: {} };
    throw err;
  }
}

/** The status code of a call (200 on success). */
export async function codeOf(api: ApiHarness, path: string, fields: Record<string, string> = {}): Promise<number> {
  return (await sendcloud(api, path, fields)).statusCode;
}
