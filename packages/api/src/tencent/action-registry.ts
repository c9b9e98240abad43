import type { TencentAction } from './action.ts';
import { addressActions } from './actions/email-address-actions.ts';
import { identityActions } from './actions/email-identity-actions.ts';
import { templateActions } from './actions/email-template-actions.ts';
import { getSendEmailStatus } from './actions/get-send-email-status.ts';
import { sendEmail } from './actions/send-email.ts';

/** Every Tencent action Postmill answers; names are case-sensitive and unique. */
export const TENCENT_ACTIONS: readonly TencentAction[] = [
  ...identityActions,
  ...addressActions,
  ...templateActions,
  sendEmail,
  getSendEmailStatus,
];
