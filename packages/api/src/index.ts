export type { ApiDeps } from './api-deps.ts';
export { buildApiServer } from './server.ts';
export { TencentApiError } from './tencent/tencent-api-error.ts';
export { type TencentAction, type ActionContext, defineAction } from './tencent/action.ts';
