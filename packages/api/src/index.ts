export type { ApiDeps } from './api-deps.ts';
export { DASHBOARD_PATH, type DashboardAccess, type DashboardDeps, type DashboardQueue, dashboardOffMessage } from './admin/dashboard-access.ts';
export { buildApiServer } from './server.ts';
export type { OpsDeps, ReadinessReport } from './ops-routes.ts';
export { TencentApiError } from './tencent/tencent-api-error.ts';
export { type TencentAction, type ActionContext, defineAction } from './tencent/action.ts';
