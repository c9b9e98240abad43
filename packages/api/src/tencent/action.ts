import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';

/** What a handler may use besides its parsed input. */
export interface ActionContext {
  readonly requestId: string;
  readonly deps: ApiDeps;
  readonly log: Logger;
  /** The SecretId the request was signed with. */
  readonly secretId: string;
  /**
   * Settles when the request is admitted (not a replay, within the rate limit); rejects with the
   * refusal. Already resolved for every action except those with `readsBeforeAdmission`, which
   * must await it before their first write.
   */
  readonly admitted: Promise<void>;
  /**
   * The request's `X-Postmill-Idempotency-Key`, present only when the signature covers it and the
   * action is SendEmail (the dialect refuses it anywhere else).
   */
  readonly idempotencyKey?: string;
}

/**
 * One Tencent action: its exact (case-sensitive) name, a strict input schema, and a handler
 * returning the Response fields (without RequestId). Guarantees: the handler only ever sees
 * input that passed the schema; an EngineError it throws (or lets through from the engine) is
 * answered through the Tencent error table (error-table.ts), a TencentApiError with its own code.
 */
export interface TencentAction {
  readonly name: string;
  readonly input: z.ZodType;
  /**
   * The handler is called while the admission check is still in flight, so its reads share that
   * round trip (SendEmail: the hot path). It must `await ctx.admitted` before writing anything.
   * Default false: handlers run once the request is admitted.
   */
  readonly readsBeforeAdmission?: boolean;
  /**
   * A one-pass test that a parsed body already is valid input as it stands (the hot actions'):
   * true only where `input` would accept it with equal output, so the schema walk is skipped;
   * false leaves the decision and the error's wording to `input`. Default: always the schema.
   */
  readonly isPlainInput?: (body: object) => boolean;
  handle(input: unknown, ctx: ActionContext): Promise<Record<string, unknown>>;
}

/** Type-safe constructor for a TencentAction. */
export function defineAction<S extends z.ZodType>(action: {
  name: string;
  input: S;
  readsBeforeAdmission?: boolean;
  isPlainInput?: (body: object) => boolean;
  handle(input: z.output<S>, ctx: ActionContext): Promise<Record<string, unknown>>;
}): TencentAction {
  return action as TencentAction;
}
