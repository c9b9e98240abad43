import { moduleActions, type SendCloudAction, type SendCloudActionContext } from '../action.ts';
import type { SendCloudParams } from '../params.ts';

/**
 * `userinfo/get`: the account as SendCloud's doc shows it, flat in `info` (no `data` wrapper, and
 * the doc's own misspelt `avaliableBalance` beside `availableBalance`). `userName` is the apiUser
 * that asked. Postmill has no balance, quota, reputation or registration, so those are null
 * (not an invented number); `accountType` says what this is; there is no web or business
 * verification, so both are false.
 */
async function get(_params: SendCloudParams, ctx: SendCloudActionContext) {
  return {
    info: {
      avaliableBalance: null,
      availableBalance: null,
      balance: null,
      email: '',
      phone: '',
      quota: null,
      todayUsedQuota: null,
      regTime: null,
      reputation: null,
      userName: ctx.apiUser,
      accountType: 'Postmill (self-hosted)',
      websiteAuthStatus: false,
      businessAuthStatus: false,
    },
  };
}

/** `userinfo/get` (GET and POST). */
export const userInfoActions: SendCloudAction[] = moduleActions('userinfo', { get });
