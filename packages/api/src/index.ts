export { DASHBOARD_PATH, type DashboardAccess, type DashboardDeps, type DashboardQueue, dashboardOffMessage } from './admin/dashboard-access.ts';
export type { ApiDeps } from './api-deps.ts';
export type { OpsDeps, ReadinessReport } from './ops-routes.ts';
export { buildApiServer } from './server.ts';
export { type ActionContext, defineAction, type TencentAction } from './tencent/action.ts';
export { TencentApiError } from './tencent/tencent-api-error.ts';
