import type { SendCloudAction } from '../action.ts';
import { addresslistActions } from './addresslist-actions.ts';
import { addressmemberActions } from './addressmember-actions.ts';
import { domainActions } from './domain-actions.ts';
import { labelActions } from './label-actions.ts';
import { statisticsActions } from './statistics-actions.ts';
import { suppressionActions } from './suppression-actions.ts';
import { templateActions } from './template-actions.ts';
import { webhookActions } from './webhook-actions.ts';

/** Every SendCloud management action (templates, lists and members, labels, domains, suppression, statistics, webhooks). */
export const managementActions: readonly SendCloudAction[] = [
  ...templateActions,
  ...addresslistActions,
  ...addressmemberActions,
  ...labelActions,
  ...domainActions,
  ...suppressionActions,
  ...statisticsActions,
  ...webhookActions,
];
