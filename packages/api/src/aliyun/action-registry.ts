import type { AliyunAction } from './action.ts';

/** Every DirectMail action Postmill answers; names are case-sensitive and unique. */
export const ALIYUN_ACTIONS: readonly AliyunAction[] = [];
