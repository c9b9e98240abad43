import type { BullMQAdapter } from '@bull-board/api/bullMQAdapter';

/** Where Bull Board is mounted on the API. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * Who may open the dashboard. Mirrors `PostmillConfig.dashboard`: off (with the reason) unless a
 * username and password are set; read-only unless `allowWrites`.
 */
export type DashboardAccess =
  | { readonly enabled: false; readonly reason: string }
  | { readonly enabled: true; readonly username: string; readonly password: string; readonly allowWrites: boolean };

/** A BullMQ queue the board can show (the delivery and campaign queues of `@postmill/queue`). */
export type DashboardQueue = ConstructorParameters<typeof BullMQAdapter>[0];

/** What the API needs to serve the dashboard: its access settings and every queue it shows. */
export interface DashboardDeps {
  readonly access: DashboardAccess;
  /** Every queue of the job catalog; the board lists them under their catalog names. */
  readonly queues: readonly DashboardQueue[];
}

/**
 * The sentence an operator reads when the dashboard is off (the 404 body and the start-up log).
 * Guarantees it names every variable that turns the dashboard on.
 */
export function dashboardOffMessage(reason: string): string {
  return `The queue dashboard is off (${reason}). Set DASHBOARD_USERNAME and DASHBOARD_PASSWORD to serve it at ${DASHBOARD_PATH}; it is read-only unless DASHBOARD_ALLOW_WRITES=true.`;
}
