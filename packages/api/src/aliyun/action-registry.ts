import type { AliyunAction } from './action.ts';
import { accountActions } from './actions/account-actions.ts';
import { domainActions } from './actions/domain-actions.ts';
import { mailAddressActions } from './actions/mail-address-actions.ts';
import { receiverActions } from './actions/receiver-actions.ts';
import { sendActions } from './actions/send-actions.ts';
import { statisticsActions } from './actions/statistics-actions.ts';
import { suppressionActions } from './actions/suppression-actions.ts';
import { tagActions } from './actions/tag-actions.ts';
import { taskActions } from './actions/task-actions.ts';
import { templateActions } from './actions/template-actions.ts';

/** Every DirectMail action Postmill answers; names are case-sensitive and unique. */
export const ALIYUN_ACTIONS: readonly AliyunAction[] = [
  ...domainActions,
  ...mailAddressActions,
  ...templateActions,
  ...receiverActions,
  ...tagActions,
  ...sendActions,
  ...taskActions,
  ...suppressionActions,
  ...statisticsActions,
  ...accountActions,
];
