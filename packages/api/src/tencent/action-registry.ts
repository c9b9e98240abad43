import type { TencentAction } from './action.ts';
import { batchSendEmail } from './actions/batch-send-email.ts';
import { blacklistActions } from './actions/blacklist-actions.ts';
import { callbackUrlActions } from './actions/callback-url-actions.ts';
import { addressActions } from './actions/email-address-actions.ts';
import { identityActions } from './actions/email-identity-actions.ts';
import { templateActions } from './actions/email-template-actions.ts';
import { getSendEmailStatus } from './actions/get-send-email-status.ts';
import { receiverActions } from './actions/receiver-actions.ts';
import { sendEmail } from './actions/send-email.ts';
import { sendTaskActions } from './actions/send-task-actions.ts';
import { statisticsActions } from './actions/statistics-actions.ts';

/** Every Tencent action Postmill answers; names are case-sensitive and unique. */
export const TENCENT_ACTIONS: readonly TencentAction[] = [
  ...identityActions,
  ...addressActions,
  ...templateActions,
  sendEmail,
  getSendEmailStatus,
  batchSendEmail,
  ...sendTaskActions,
  ...receiverActions,
  ...blacklistActions,
  ...statisticsActions,
  ...callbackUrlActions,
];
