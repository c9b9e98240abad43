import { createHash } from 'node:crypto';
import { addressKey } from '@postmill/core';

/**
 * Every Redis key Postmill uses, built in one place. Guarantees for Redis Cluster:
 * - keys that a Lua script or MULTI touches together share one hash tag;
 * - small global collections share the deployment tag `{prefix}` (one slot);
 * - per-message keys carry `{m:<id>}` and per-day status indexes `{d:<date>}` so bulk data
 *   spreads across slots;
 * - the BullMQ prefix is `{prefix}`, so every queue's keys share one slot as its scripts require.
 */
export interface Keys {
  readonly prefix: string;
  /** BullMQ `prefix` option: hash-tagged. */
  readonly bullPrefix: string;
  readonly identities: string;
  readonly addresses: string;
  readonly templates: string;
  readonly templateSeq: string;
  /** Recipients (their addressKey) who unsubscribed from one sender address, keyed by its addressKey (a SET). */
  unsubscribed(sender: string): string;
  /** Recipient domains on hold after TemporaryBlocked: HASH domain → until (ms). */
  readonly domainHolds: string;
  /** Shared sliding-window log of provider request starts for one transport (ZSET). */
  limiterLog(transport: string): string;
  /** Transport-wide pause after a throttling answer (string with PX). Same tag as the log. */
  limiterPause(transport: string): string;
  /** The send rate the last started worker announced (JSON string; see SendRateStore). */
  readonly sendRate: string;
  readonly outboxIndex: string;
  outboxMessage(id: string): string;
  /** A message's metadata (from, recipients, subject...), kept for the status retention. */
  messageSpec(messageId: string): string;
  /** A message's bodies and attachments, dropped once every recipient is final. Same tag as messageSpec. */
  messageContent(messageId: string): string;
  messageRecipients(messageId: string): string;
  /** SendEmail row index of one day (ZSET messageId → the day's rows before the message's first). Tag `{d:<date>}`. */
  statusDayRows(date: string): string;
  /** Rows the day's row index has handed out (counter, discarded rows included). Same tag as statusDayRows. */
  statusDayRowCount(date: string): string;
  /** Messages of the day discarded after acceptance (HASH messageId → "<first row>:<rows>", or "" if never indexed). Same tag. */
  statusDayDiscarded(date: string): string;
  /** Rows of one recipient (lower-cased) on one day (ZSET "<position in message>:<messageId>" → day row). Same tag. */
  statusDayRecipientRows(date: string, email: string): string;
  /**
   * The day's row index of the messages sent with one tag (ZSET messageId → the tag's rows before
   * it), its row counter and its tombstones (HASH as statusDayDiscarded): the day's index narrowed
   * to a tag, so a tag's rows are counted and paged exactly. The tag is hashed into the name. Same tag.
   */
  statusDayTagRows(date: string, tag: string): string;
  statusDayTagRowCount(date: string, tag: string): string;
  statusDayTagDiscarded(date: string, tag: string): string;
  /** Campaign runs of one day (ZSET "taskId:run" → the day's campaign rows before the run's first). Same tag. */
  statusDayRunRows(date: string): string;
  /** Campaign rows the day's run index has handed out (counter). Same tag. */
  statusDayRunRowCount(date: string): string;
  /** Runs indexed on the day (HASH "taskId:run" → "<startedAt>:<total>"); makes indexing a run idempotent. Same tag. */
  statusDayRunMeta(date: string): string;
  /** Receiver lists: index (ZSET), unique names (HASH name → id), id counter. */
  readonly receivers: string;
  readonly receiverNames: string;
  readonly receiverSeq: string;
  /** One list's keys, all tagged `{r:<id>}`: meta HASH, entries LIST, fingerprint buckets, refused entries. */
  receiverMeta(id: number): string;
  receiverEntries(id: number): string;
  receiverFingerprints(id: number, bucket: number): string;
  receiverInvalid(id: number): string;
  /** Positions of the list's removed entries (ZSET index → index), same tag. */
  receiverRemoved(id: number): string;
  /** Tasks: index (ZSET id → createdAt) and id counter. */
  readonly tasks: string;
  readonly taskSeq: string;
  /** One task's keys, all tagged `{t:<id>}`. */
  task(id: number): string;
  taskRun(id: number, run: number): string;
  runStates(id: number, run: number): string;
  runDetails(id: number, run: number): string;
  /** Claims of a run's chunk ranges being sent (HASH range start → "until|token"), tagged `{t:<id>}`. */
  runClaims(id: number, run: number): string;
  /** Run numbers of the task's unfinished runs (SET), tagged `{t:<id>}` like the task. */
  taskActiveRuns(id: number): string;
  /** When settled tasks expire (ZSET id → expiry ms), same tag as `tasks`: the index is cleaned from it. */
  readonly tasksExpiry: string;
  /** Custom blacklist: addressKey → JSON, id → addressKey, id counter, layout version. */
  readonly blacklist: string;
  readonly blacklistIds: string;
  readonly blacklistSeq: string;
  readonly blacklistVersion: string;
  /** Sending statistics of one day (HASH `<fromDomain>|<rcptDomain>|<metric>` → count). */
  stats(date: string): string;
  /** Accepted message ids whose delivery job is still to be created (LIST, appended by the API). */
  readonly deliveryIntake: string;
  /** Ids the intake pump took from the intake and is queueing (LIST). Same tag as the intake. */
  readonly deliveryIntakeClaimed: string;
  /** Which process pumps the intake (string token with PX). Same tag as the intake. */
  readonly deliveryIntakeLease: string;
  /** A signature the API already accepted, by its hash (string with PX), for refusing replays. */
  acceptedSignature(signatureHash: string): string;
  /** API requests of one SecretId to one action in one window (counter with PX). Same tag as acceptedSignature. */
  apiRequestCount(secretId: string, action: string, window: number): string;
  /**
   * A SendEmail idempotency key's record, by the hash of (SecretId, key): string with PX, tagged
   * `{i:<hash>}` so keys spread over a cluster's slots.
   */
  idempotency(keyHash: string): string;
  /** Numeric ids of things Postmill keys by name (DirectMail's DomainId, MailAddressId): HASH name → id, per kind. */
  resourceIds(kind: string): string;
  /** The reverse of resourceIds: HASH id → name. Same tag. */
  resourceNames(kind: string): string;
  /** The counter resourceIds draws from. Same tag. */
  resourceSeq(kind: string): string;
  /** DirectMail's attributes of sender addresses (send type, reply-to, SMTP password hash, callback URL): HASH address → JSON. */
  readonly senderProfiles: string;
  /** A reply-to verification ticket (string with PX → JSON). Deployment tag. */
  replyTicket(ticket: string): string;
  /** DirectMail's attributes of templates (subject, sender name, type): HASH id → JSON. */
  readonly templateProfiles: string;
  /** Mail tags: HASH id → JSON. */
  readonly tags: string;
  /** Mail tags by name: HASH name → id. Same tag. */
  readonly tagNames: string;
  readonly tagSeq: string;
  /** DirectMail's annotations of one send (TagName, ClickTrace, AddressType): string with PX, tagged like the message. */
  messageAnnotation(messageId: string): string;
  /** The same for a batch task, tagged like the task. */
  taskAnnotation(taskId: number): string;
  /** Recipients whose earlier hard failures DirectMail's DeleteInvalidAddress dismissed: HASH address → epoch ms. */
  readonly dismissedInvalid: string;
  /** SendCloud API users (`apiuser/add`): HASH name → JSON with the SHA-256 of the key. Deployment tag. */
  readonly sendCloudApiUsers: string;
  /** SendCloud webhook configurations: HASH `<categoryName>\n<url>` → JSON. Deployment tag. */
  readonly sendCloudWebhooks: string;
  /** SendCloud address-list aliases: HASH lower-cased alias → receiver list id. Deployment tag. */
  readonly sendCloudListAliases: string;
}

/** Builds the key space for a deployment prefix (tests use a unique prefix each). */
/** A tag name as a key part: any text (braces, colons, any length) becomes 16 hex digits. */
function tagDigest(tag: string): string {
  return createHash('sha1').update(tag).digest('hex').slice(0, 16);
}

export function createKeys(prefix: string): Keys {
  if (!/^[A-Za-z0-9_.-]{1,64}$/u.test(prefix)) throw new RangeError(`invalid Redis key prefix "${prefix}"`);
  const tag = `{${prefix}}`;
  return {
    prefix,
    bullPrefix: tag,
    identities: `${tag}:identities`,
    addresses: `${tag}:addresses`,
    templates: `${tag}:templates`,
    templateSeq: `${tag}:seq:template`,
    unsubscribed: (sender) => `${tag}:unsub:${addressKey(sender)}`,
    domainHolds: `${tag}:holds`,
    limiterLog: (t) => `${tag}:limiter:${t}`,
    limiterPause: (t) => `${tag}:limiter:${t}:pause`,
    sendRate: `${tag}:send-rate`,
    outboxIndex: `${tag}:outbox`,
    outboxMessage: (id) => `${tag}:outbox:${id}`,
    messageSpec: (id) => `${prefix}:{m:${id}}:spec`,
    messageContent: (id) => `${prefix}:{m:${id}}:content`,
    messageRecipients: (id) => `${prefix}:{m:${id}}:rcpt`,
    statusDayRows: (date) => `${prefix}:{d:${date}}:rows`,
    statusDayRowCount: (date) => `${prefix}:{d:${date}}:rows:count`,
    statusDayDiscarded: (date) => `${prefix}:{d:${date}}:rows:discarded`,
    statusDayRecipientRows: (date, email) => `${prefix}:{d:${date}}:rows:to:${addressKey(email)}`,
    statusDayTagRows: (date, t) => `${prefix}:{d:${date}}:rows:tag:${tagDigest(t)}`,
    statusDayTagRowCount: (date, t) => `${prefix}:{d:${date}}:rows:tag:${tagDigest(t)}:count`,
    statusDayTagDiscarded: (date, t) => `${prefix}:{d:${date}}:rows:tag:${tagDigest(t)}:discarded`,
    statusDayRunRows: (date) => `${prefix}:{d:${date}}:runrows`,
    statusDayRunRowCount: (date) => `${prefix}:{d:${date}}:runrows:count`,
    statusDayRunMeta: (date) => `${prefix}:{d:${date}}:runrows:meta`,
    receivers: `${tag}:receivers`,
    receiverNames: `${tag}:receivers:names`,
    receiverSeq: `${tag}:seq:receiver`,
    receiverMeta: (id) => `${prefix}:{r:${id}}:meta`,
    receiverEntries: (id) => `${prefix}:{r:${id}}:entries`,
    receiverFingerprints: (id, bucket) => `${prefix}:{r:${id}}:fp:${bucket}`,
    receiverInvalid: (id) => `${prefix}:{r:${id}}:invalid`,
    receiverRemoved: (id) => `${prefix}:{r:${id}}:removed`,
    tasks: `${tag}:tasks`,
    taskSeq: `${tag}:seq:task`,
    task: (id) => `${prefix}:{t:${id}}:task`,
    taskRun: (id, run) => `${prefix}:{t:${id}}:run:${run}`,
    runStates: (id, run) => `${prefix}:{t:${id}}:run:${run}:state`,
    runDetails: (id, run) => `${prefix}:{t:${id}}:run:${run}:detail`,
    runClaims: (id, run) => `${prefix}:{t:${id}}:run:${run}:claims`,
    taskActiveRuns: (id) => `${prefix}:{t:${id}}:active`,
    tasksExpiry: `${tag}:tasks:expiry`,
    blacklist: `${tag}:blacklist`,
    blacklistIds: `${tag}:blacklist:ids`,
    blacklistSeq: `${tag}:seq:blacklist`,
    blacklistVersion: `${tag}:blacklist:version`,
    stats: (date) => `${prefix}:{s:${date}}:stats`,
    // Deployment tag: the intake scripts touch all three at once.
    deliveryIntake: `${tag}:intake`,
    deliveryIntakeClaimed: `${tag}:intake:claimed`,
    deliveryIntakeLease: `${tag}:intake:lease`,
    // Deployment tag: the admission script touches both keys of a request at once.
    acceptedSignature: (hash) => `${tag}:sig:${hash}`,
    apiRequestCount: (secretId, action, window) => `${tag}:rate:${secretId}:${action}:${window}`,
    idempotency: (keyHash) => `${prefix}:{i:${keyHash}}:idem`,
    resourceIds: (kind) => `${tag}:ids:${kind}`,
    resourceNames: (kind) => `${tag}:ids:${kind}:names`,
    resourceSeq: (kind) => `${tag}:seq:id:${kind}`,
    senderProfiles: `${tag}:sender-profiles`,
    replyTicket: (ticket) => `${tag}:reply-ticket:${ticket}`,
    templateProfiles: `${tag}:template-profiles`,
    tags: `${tag}:tags`,
    tagNames: `${tag}:tags:names`,
    tagSeq: `${tag}:seq:tag`,
    messageAnnotation: (id) => `${prefix}:{m:${id}}:dm`,
    taskAnnotation: (id) => `${prefix}:{t:${id}}:dm`,
    dismissedInvalid: `${tag}:invalid-dismissed`,
    sendCloudApiUsers: `${tag}:sendcloud:api-users`,
    sendCloudWebhooks: `${tag}:sendcloud:webhooks`,
    sendCloudListAliases: `${tag}:sendcloud:list-aliases`,
  };
}
