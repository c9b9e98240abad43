// Postmill with Tencent Cloud's official Node SDK (tencentcloud-sdk-nodejs-ses), unchanged: only the
// endpoint differs. Run it from the repository root after `npm start`:
//
//   node examples/tencent-sdk.mjs
//
// It creates a sender domain, a sender address and a template, sends one mail and polls its status
// until it is delivered (to the outbox with the default transport: http://localhost:8080/outbox).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ses } from 'tencentcloud-sdk-nodejs-ses';

/**
 * Where Postmill listens and the credentials to sign with: the environment first (POSTMILL_ENDPOINT,
 * POSTMILL_SECRET_ID, POSTMILL_SECRET_KEY), then what `npm start` records in its data directory
 * (DATA_DIR, default .postmill: endpoint.json and credentials.json), else http://localhost:8080.
 */
function postmillConnection() {
  const dataDir = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : fileURLToPath(new URL('../.postmill/', import.meta.url));
  const readJson = (file) => {
    try {
      return JSON.parse(readFileSync(resolve(dataDir, file), 'utf8'));
    } catch {
      return {};
    }
  };
  const saved = readJson('credentials.json');
  return {
    endpoint: new URL(process.env.POSTMILL_ENDPOINT ?? readJson('endpoint.json').url ?? 'http://localhost:8080'),
    secretId: process.env.POSTMILL_SECRET_ID ?? saved.secretId,
    secretKey: process.env.POSTMILL_SECRET_KEY ?? saved.secretKey,
  };
}

// #region readme
const { endpoint, secretId, secretKey } = postmillConnection();
const client = new ses.v20201002.Client({
  credential: { secretId, secretKey },
  region: 'ap-guangzhou',
  profile: { httpProfile: { protocol: `${endpoint.protocol}//`, endpoint: endpoint.host } },
});

/** Runs `call`, treating Tencent's "already exists" answer as success (so the example can run again). */
async function ensure(call, alreadyExists) {
  try {
    await call();
  } catch (err) {
    if (err.code !== alreadyExists) throw err;
  }
}

await ensure(() => client.CreateEmailIdentity({ EmailIdentity: 'mail.example.com' }), 'InvalidParameterValue.RepeatCreation');
await ensure(
  () => client.CreateEmailAddress({ EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' }),
  'InvalidParameterValue.RepeatEmailAddress',
);
const { TemplateID } = await client.CreateEmailTemplate({
  TemplateName: 'welcome',
  TemplateContent: {
    Html: Buffer.from('<p>Hello {{name}}, welcome aboard.</p>').toString('base64'),
    Text: Buffer.from('Hello {{name}}, welcome aboard.').toString('base64'),
  },
});
console.log(`template ${TemplateID} created`);

const { MessageId } = await client.SendEmail({
  FromEmailAddress: 'news@mail.example.com',
  Destination: ['alice@example.org'],
  Subject: 'Welcome, {{name}}',
  Template: { TemplateID, TemplateData: JSON.stringify({ name: 'Alice' }) },
});
console.log(`accepted as ${MessageId}`);

// RequestDate is a day in the API's SCHEDULE_TIMEZONE (Asia/Shanghai unless set): today there.
const timeZone = process.env.SCHEDULE_TIMEZONE ?? 'Asia/Shanghai';
const RequestDate = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
for (let attempt = 1; ; attempt++) {
  const { EmailStatusList } = await client.GetSendEmailStatus({ RequestDate, MessageId, Offset: 0, Limit: 10 });
  const status = EmailStatusList?.[0];
  // DeliverStatus: 0 queued, 1 delivered, 8 deferred (retried later), 2 dropped, 3 bounced.
  if (status?.DeliverStatus === 1) {
    console.log(`delivered to ${status.ToEmailAddress}`);
    break;
  }
  if (status?.DeliverStatus === 2 || status?.DeliverStatus === 3 || attempt === 30) {
    throw new Error(`not delivered: ${JSON.stringify(status)}`);
  }
  await new Promise((done) => setTimeout(done, 1000));
}
// #endregion readme
