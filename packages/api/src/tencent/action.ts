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
}

/**
 * One Tencent action: its exact (case-sensitive) name, a strict input schema, and a handler
 * returning the Response fields (without RequestId). Guarantees: the handler only ever sees
 * input that passed the schema; throwing a TencentApiError/ValidationError/NotFoundError/
 * ConflictError with a Tencent code answers that code.
 */
export interface TencentAction {
  readonly name: string;
  readonly input: z.ZodType;
  handle(input: unknown, ctx: ActionContext): Promise<Record<string, unknown>>;
}

/** Type-safe constructor for a TencentAction. */
export function defineAction<S extends z.ZodType>(action: {
  name: string;
  input: S;
  handle(input: z.output<S>, ctx: ActionContext): Promise<Record<string, unknown>>;
}): TencentAction {
  return action as TencentAction;
}
