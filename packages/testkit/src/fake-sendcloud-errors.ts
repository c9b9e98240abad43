/**
 * One error SendCloud documents for `mail/send`: its `statusCode` and the published message. The
 * answer is always HTTP 200 with `{"result": false, "statusCode", "message", "info": {}}`.
 */
export interface DocumentedSendCloudError {
  readonly statusCode: number;
  readonly message: string;
}

/**
 * Every `statusCode` SendCloud API v2 documents that `mail/send` can answer as a failure, with its
 * message verbatim (`sendcloud_docs` `email_v2/index.md` and seed 004, reference
 * `aliyun-sendcloud-api.md` §B.2): authentication and permission, the server's own failures, the
 * frequency limit, every `408xx` parameter check of a plain send (the calendar-only `40832`–`40851`
 * and template-only `40823`–`40826` left out, as are the success codes `40821`, `40903`, `40905`,
 * `40906`, `40907`, `40909` and `40910`), and the `409xx` send, quota and template-match failures.
 */
export const DOCUMENTED_SENDCLOUD_ERRORS: readonly DocumentedSendCloudError[] = [
  { statusCode: 501, message: '服务器异常' },
  { statusCode: 50001, message: '536 Frequency limited' },
  { statusCode: 6001, message: '你没有权限访问' },
  { statusCode: 40000, message: '重复请求' },
  { statusCode: 40005, message: '认证失败' },
  { statusCode: 40015, message: '标签ID格式错误' },
  { statusCode: 40106, message: '标签ID对应的标签不存在' },
  { statusCode: 40801, message: '发信人地址from不能为空' },
  { statusCode: 40802, message: '发信人地址from格式错误' },
  { statusCode: 40803, message: '发信人名称fromName不能为空' },
  { statusCode: 40804, message: '发信人名称fromName格式错误' },
  { statusCode: 40805, message: '收件人地址不能为空' },
  { statusCode: 40806, message: '收件人地址数组中, 存在非法地址' },
  { statusCode: 40807, message: '收件人地址的数目不能超过100' },
  { statusCode: 40808, message: '邮件主题subject不能为空' },
  { statusCode: 40809, message: '邮件主题subject格式错误' },
  { statusCode: 40810, message: '回复地址replyto不能为空' },
  { statusCode: 40811, message: '回复地址replyto格式错误' },
  { statusCode: 40812, message: 'xsmtpapi不能为空' },
  { statusCode: 40813, message: 'xsmtpapi格式错误' },
  { statusCode: 40814, message: 'xsmtpapi解析值不能为空' },
  { statusCode: 40815, message: 'xsmtpapi必须含有to字段' },
  { statusCode: 40816, message: 'xsmtpapi中to字段的解析值不能为空' },
  { statusCode: 40817, message: 'xsmtpapi解析错误' },
  { statusCode: 40818, message: 'attachments不能为空' },
  { statusCode: 40819, message: '附件大小不能超过10485760字节' },
  { statusCode: 40820, message: '此用户没有使用地址列表的权限' },
  { statusCode: 40822, message: '地址列表任务创建失败' },
  { statusCode: 40827, message: 'xsmtpapi中to数组长度不能超过100' },
  { statusCode: 40828, message: '回执地址不能为空' },
  { statusCode: 40829, message: '回执地址格式错误' },
  { statusCode: 40830, message: 'plain内容不能为空' },
  { statusCode: 40831, message: 'plain内容格式错误' },
  { statusCode: 40852, message: 'cc地址不能为空' },
  { statusCode: 40853, message: 'cc地址格式错误' },
  { statusCode: 40854, message: 'CC地址的数目不能超过100' },
  { statusCode: 40855, message: 'bcc地址不能为空' },
  { statusCode: 40856, message: 'bcc地址格式错误' },
  { statusCode: 40857, message: 'BCC地址的数目不能超过100' },
  { statusCode: 40858, message: 'respEmailId不能为空' },
  { statusCode: 40859, message: 'respEmailId格式错误' },
  { statusCode: 40860, message: 'gzipCompress不能为空' },
  { statusCode: 40861, message: 'gzipCompress格式错误' },
  { statusCode: 40862, message: 'to中有格式错误的地址列表' },
  { statusCode: 40863, message: 'to中有不存在的地址列表' },
  { statusCode: 40864, message: '地址列表的数目不能超过5' },
  { statusCode: 40865, message: 'html解压失败' },
  { statusCode: 40866, message: 'plain解压失败' },
  { statusCode: 40867, message: '处理附件发生异常' },
  { statusCode: 40868, message: 'headers不能为空' },
  { statusCode: 40869, message: 'headers格式错误' },
  { statusCode: 40870, message: 'html和plain不能同时为空' },
  { statusCode: 40871, message: 'html格式错误' },
  { statusCode: 40872, message: '邮件列表地址不能为空' },
  { statusCode: 40873, message: 'useAddressList不能为空' },
  { statusCode: 40874, message: 'useAddressList格式错误' },
  { statusCode: 40875, message: '内嵌图片ID或内嵌图片附件长度不一致' },
  { statusCode: 40877, message: '摘要不能为空' },
  { statusCode: 40878, message: '摘要长度不能超过200个字节' },
  { statusCode: 40879, message: '回复地址replyto个数不能超过3个' },
  { statusCode: 40880, message: 'xsmtpapi中to字段含有非法邮箱格式' },
  { statusCode: 40901, message: '邮件发送失败' },
  { statusCode: 40902, message: '邮件处理发生未知异常' },
  { statusCode: 40904, message: '额度检查失败' },
  { statusCode: 40908, message: '邮件内容和邮件模板匹配不通过' },
  { statusCode: 40911, message: '邮件内容和邮件模板匹配时出现编码错误' },
];

const BY_CODE = new Map(DOCUMENTED_SENDCLOUD_ERRORS.map((e) => [e.statusCode, e.message]));

/** The message SendCloud answers `statusCode` with: the published one, else one naming the code. */
export function sendCloudMessageFor(statusCode: number): string {
  return BY_CODE.get(statusCode) ?? `fake SendCloud: ${statusCode}`;
}
