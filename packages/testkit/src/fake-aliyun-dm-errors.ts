/**
 * One error DirectMail documents: its code, the HTTP status it comes with and the published message.
 * Sources: the gateway's common codes and the SingleSendMail/BatchSendMail business codes of
 * `aliyun-sendcloud-api.md` §A.5, and BatchSendMail's page (seed 000).
 */
export interface DocumentedDmError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

/**
 * Every error code DirectMail documents for the sending actions, with its status. Where the sources
 * disagree on a status the reference's table wins, and the comment says so; every one is 4xx
 * except InternalError (500) and ServiceUnavailable (503).
 */
export const DOCUMENTED_DM_ERRORS: readonly DocumentedDmError[] = [
  // Gateway (common) codes.
  { code: 'InvalidApi.NotFound', status: 404, message: 'Specified api is not found, please check your url and method.' },
  { code: 'InvalidAction.NotFound', status: 404, message: 'Specified api is not found, please check your url and method.' },
  { code: 'MissingParameter', status: 400, message: 'A required parameter is mandatory for this action.' },
  // Some pages give 400; the reference's table gives 404.
  { code: 'InvalidAccessKeyId.NotFound', status: 404, message: 'Specified access key is not found.' },
  { code: 'InvalidAccessKeyId.Inactive', status: 400, message: 'Specified access key is disabled.' },
  { code: 'InvalidTimeStamp.Format', status: 400, message: 'Specified time stamp or date value is not well formatted.' },
  { code: 'InvalidTimeStamp.Expired', status: 400, message: 'Specified time stamp or date value is expired.' },
  { code: 'SignatureNonceUsed', status: 400, message: 'Specified signature nonce was used already.' },
  { code: 'InvalidParameter.Format', status: 400, message: 'Specified parameter format is not valid.' },
  { code: 'UnsupportedHTTPMethod', status: 400, message: 'Specified HTTP method is not supported.' },
  { code: 'InvalidSignatureMethod', status: 400, message: 'Specified signature method is not valid.' },
  // Some pages give 403; the reference's table gives 400.
  { code: 'SignatureDoesNotMatch', status: 400, message: 'Specified signature is not matched with our calculation.' },
  { code: 'IncompleteSignature', status: 400, message: 'The request signature does not conform to Aliyun standards.' },
  { code: 'Throttling', status: 400, message: 'Request was denied due to flow control.' },
  { code: 'Throttling.User', status: 400, message: 'Request was denied due to user flow control.' },
  { code: 'Throttling.Api', status: 400, message: 'Request was denied due to api flow control.' },
  { code: 'InternalError', status: 500, message: 'The request processing has failed due to some unknown error, exception or failure.' },
  { code: 'ServiceUnavailable', status: 503, message: 'The request has failed due to a temporary failure of the server.' },
  // DirectMail business codes.
  { code: 'InvalidMailAddressName.Malformed', status: 400, message: 'The specified MailAddress name is wrongly formed.' },
  // Seed 000 (BatchSendMail) and the vendor's SingleSendMail page give 400 (the reference's error list says 404); Postmill's dialect answers 400 too.
  { code: 'InvalidMailAddress.NotFound', status: 400, message: 'The specified mailAddress does not exist.' },
  { code: 'InvalidMailAddressStatus.Malformed', status: 400, message: 'The specified mailAddress status is wrongly formed.' },
  { code: 'InvalidMailAddressSendType.Malformed', status: 400, message: 'The specified mailAddress sendType is wrongly formed.' },
  { code: 'InvalidMailAddressDomain.Malformed', status: 400, message: 'The specified mailAddress domain does not exist.' },
  { code: 'InvalidReceiverName.Malformed', status: 400, message: 'The specified receiver name is wrongly formed.' },
  { code: 'InvalidReceiver.NotFound', status: 404, message: 'The specified receiver does not exist.' },
  { code: 'InvalidTemplateName.Malformed', status: 400, message: 'The specified template name is wrongly formed.' },
  { code: 'InvalidTemplate.NotFound', status: 404, message: 'The specified template does not exist.' },
  { code: 'InvalidToAddress', status: 400, message: 'The specified toAddress is wrongly formed.' },
  { code: 'InvalidToAddress.Spam', status: 400, message: 'Sendmail rejected by invalid address.' },
  { code: 'InvalidBody', status: 400, message: 'The specified textBody or htmlBody is wrongly formed.' },
  { code: 'InvalidSubject.Malformed', status: 400, message: 'The specified subject is wrongly formed.' },
  { code: 'InvalidSendMail.Spam', status: 400, message: 'Sendmail rejected by spam filter.' },
  { code: 'InvalidKeyword.Malformed', status: 400, message: 'The specified keyword is wrongly formed.' },
];

const BY_CODE = new Map(DOCUMENTED_DM_ERRORS.map((e) => [e.code, e]));

/**
 * The status and message to answer `code` with: the documented ones for a documented code; for
 * the documented patterns `Missing<Name>` and `Invalid<Name>`, 400 and the pattern's message;
 * otherwise 400 (DirectMail answers a caller's mistake with a 4xx) and a message naming the code.
 */
export function dmErrorFor(code: string): { readonly status: number; readonly message: string } {
  const known = BY_CODE.get(code);
  if (known) return known;
  const missing = /^Missing(\w+)$/u.exec(code)?.[1];
  if (missing) return { status: 400, message: `${missing} is mandatory for this action.` };
  const invalid = /^Invalid(\w+)$/u.exec(code)?.[1];
  if (invalid) return { status: 400, message: `Specified parameter ${invalid} is not valid.` };
  return { status: 400, message: `fake DirectMail: ${code}` };
}
