import { randomBytes } from 'node:crypto';
import type { ApiHarness } from '../api-harness.ts';
import { SendCloudTestClient } from './sendcloud-client.ts';

/** A SendCloud answer: the envelope as the client parsed it. */
export interface SendCloudReply {
  readonly result: boolean;
  readonly statusCode: number;
  readonly message: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary answer fields
  readonly info: any;
}

export const unique = (): string => randomBytes(4).toString('hex');

/** The apiUser management calls are made as: the harness's built-in credential. */
export function apiUserOf(api: ApiHarness): string {
  return api.secretId;
}

/** Posts one SendCloud action over HTTP as the harness's built-in apiUser (urlencoded form, as SendCloud's clients send it). */
export async function sendcloud(api: ApiHarness, path: string, fields: Record<string, string> = {}): Promise<SendCloudReply> {
  const answer = await new SendCloudTestClient(api.baseUrl, api.secretId, api.secretKey).post(path, fields);
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status} for ${path}: ${answer.text.slice(0, 200)}`);
  return answer.body as SendCloudReply;
}

/** The status code of a call (200 on success). */
export async function codeOf(api: ApiHarness, path: string, fields: Record<string, string> = {}): Promise<number> {
  return (await sendcloud(api, path, fields)).statusCode;
}
