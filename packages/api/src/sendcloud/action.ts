import type { Logger } from 'pino';
import type { ApiDeps } from '../api-deps.ts';
import type { SendCloudParams } from './params.ts';
import type { SendCloudStatusCode } from './status-codes.ts';

/** What mail an apiUser may send: SendCloud's `emailType` 0 (trigger) or 1 (batch), or both. */
export type ApiUserType = 'trigger' | 'batch' | 'both';

/** True when an apiUser of `type` may send mail of `mailType`. */
export function apiUserMaySend(type: ApiUserType, mailType: 'trigger' | 'batch'): boolean {
  return type === 'both' || type === mailType;
}

/** What a SendCloud action may use besides its parameters. */
export interface SendCloudActionContext {
  readonly requestId: string;
  /** The engine (deps.engine), the stores (deps.redis, deps.keys), the clock and the limits. */
  readonly deps: ApiDeps;
  readonly log: Logger;
  /** The apiUser the request authenticated as. */
  readonly apiUser: string;
  /**
   * What mail that apiUser may send (40825 when a template or send does not match): `both` for
   * Postmill's built-in credential (POSTMILL_SECRET_ID / POSTMILL_SECRET_KEY), else its `emailType`.
   */
  readonly apiUserType: ApiUserType;
  /** The apiUser's open/click tracking (`apiuser/add` open, click); absent: the deployment's TRACKING_DOMAINS. */
  readonly tracking?: import('@postmill/core').TrackingSwitch;
  /** Server time of the request, epoch ms. */
  readonly nowMs: number;
}

/**
 * What an action answers on success: the envelope's `info`, and a status code when SendCloud
 * answers a success other than 200 (40821 for an address-list task, 40401 for `unsubscribe/add`).
 */
export interface SendCloudAnswer {
  readonly info: Record<string, unknown>;
  readonly statusCode?: SendCloudStatusCode;
}

/**
 * One SendCloud v2 action at `/apiv2/<module>/<action>`: `path` is `<module>/<action>` exactly
 * (`mail/send`, `addressmember/add`). Guarantees of a handler: it runs only for an authenticated
 * request; it fails only with SendCloudFailure or an EngineError (any other error is answered
 * 501 and logged).
 */
export interface SendCloudAction {
  readonly path: string;
  /** `POST` only for mail/send, mail/sendtemplate; `GET` and `POST` for the rest. */
  readonly methods: readonly ('GET' | 'POST')[];
  handle(params: SendCloudParams, ctx: SendCloudActionContext): Promise<SendCloudAnswer>;
}

/** Builds the actions of one module from `<action>` → handler (GET and POST both allowed). */
export function moduleActions(module: string, handlers: Readonly<Record<string, SendCloudAction['handle']>>): SendCloudAction[] {
  return Object.entries(handlers).map(([name, handle]) => ({ path: `${module}/${name}`, methods: ['GET', 'POST'], handle }));
}
