import type { Logger } from 'pino';
import type { ApiDeps } from '../api-deps.ts';
import type { DirectMailPort } from './engine-port.ts';
import type { ActionParams } from './params.ts';

/** What a DirectMail action may use besides its parameters. */
export interface AliyunActionContext {
  readonly requestId: string;
  readonly deps: ApiDeps;
  /** The operations and DirectMail stores actions call (engine-port.ts). */
  readonly port: DirectMailPort;
  readonly log: Logger;
  /** The AccessKeyId the request was signed with. */
  readonly accessKeyId: string;
  /** Server time of the request, epoch ms. */
  readonly nowMs: number;
}

/**
 * One DirectMail action: its exact name, and a handler returning the answer's fields (without
 * RequestId) with the vendor's exact keys. Guarantees: it runs only for a request whose signature
 * verified and whose nonce was new; it fails only with AliyunApiError or an EngineError (any other
 * error is answered 500 and logged).
 */
export interface AliyunAction {
  readonly name: string;
  handle(params: ActionParams, ctx: AliyunActionContext): Promise<Record<string, unknown>>;
}

/** Builds the actions of one area from name → handler. */
export function actions(handlers: Readonly<Record<string, AliyunAction['handle']>>): AliyunAction[] {
  return Object.entries(handlers).map(([name, handle]) => ({ name, handle }));
}
