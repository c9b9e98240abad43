/**
 * Actions of DirectMail 2015-11-23 that belong to the Alibaba Cloud account, not to a mail
 * server, each with what it is about (reference §A.6). Postmill answers each with a clear
 * `UnsupportedOperation` rather than `InvalidAction.NotFound`, so a caller knows the action was
 * recognised. The README lists them.
 */
export const CLOUD_ONLY_ACTIONS: ReadonlyMap<string, string> = new Map([
  ...[
    'DedicatedIpAutoRenewal',
    'DedicatedIpChangeWarmupType',
    'DedicatedIpList',
    'DedicatedIpNonePoolList',
    'DedicatedIpPoolCreate',
    'DedicatedIpPoolDelete',
    'DedicatedIpPoolList',
    'DedicatedIpPoolUpdate',
    'GetDedicatedIpWarmUpDetail',
    'GetDedicatedIpWarmUpInfo',
  ].map((a) => [a, 'dedicated IP management'] as const),
  ...['AddIpfilter', 'DeleteIpfilterByEdmId', 'GetIpProtection', 'GetIpfilterList', 'UpdateIpProtection'].map((a) => [a, 'IP protection'] as const),
  ...[
    'CheckDisposable',
    'DeleteValidateFile',
    'GetValidateFile',
    'GetValidateFileStatus',
    'GetValidationQuota',
    'ListValidateFile',
    'SendValidateFile',
    'ValidateEmail',
  ].map((a) => [a, 'the address validation service'] as const),
  ...['GetSendifyAutoLoginURL', 'GetSendifyInfo', 'OpenSendifyTrialService'].map((a) => [a, 'Sendify'] as const),
]);
