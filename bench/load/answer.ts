/** What one response to a SendEmail said. */
export type SendEmailAnswer = { readonly messageId: string } | { readonly error: string };

/**
 * Reads one HTTP response to a SendEmail: its MessageId, or the reason it was not accepted as a
 * stable code (Tencent's `Response.Error.Code`, `HTTP <status>` for a non-200, `UnreadableAnswer`
 * for a body that is not a Tencent envelope).
 */
export function readSendEmailAnswer(status: number, body: string): SendEmailAnswer {
  if (status !== 200) return { error: `HTTP ${status}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: 'UnreadableAnswer' };
  }
  const response = (parsed as { Response?: { MessageId?: unknown; Error?: { Code?: unknown } } } | null)?.Response;
  if (typeof response?.Error?.Code === 'string') return { error: response.Error.Code };
  if (typeof response?.MessageId === 'string' && response.MessageId !== '') return { messageId: response.MessageId };
  return { error: 'UnreadableAnswer' };
}
