import type { SendCloudAction } from './action.ts';
import { apiUserActions } from './actions/apiuser-actions.ts';
import { mailActions } from './actions/mail-actions.ts';
import { managementActions } from './actions/management-actions.ts';
import { userInfoActions } from './actions/userinfo-actions.ts';

/**
 * Every SendCloud v2 action Postmill answers at `/apiv2/<module>/<action>`; paths are unique
 * (matched case-insensitively: SendCloud's own doc writes `apiUser/list`).
 */
export const SENDCLOUD_ACTIONS: readonly SendCloudAction[] = [...apiUserActions, ...userInfoActions, ...mailActions, ...managementActions];
