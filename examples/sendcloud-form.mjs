// Postmill with SendCloud API v2 as its clients speak it: a form POSTed to /apiv2/<module>/<action>
// with apiUser and apiKey among the fields (there is no maintained Node SDK for v2; this is what
// the SDKs of other languages send). Run it from the repository root after `npm start`:
//
//   node examples/sendcloud-form.mjs
//
// It sends one mail with mail/send (an xsmtpapi recipient list with its variables), prints the
// emailIdList, and polls data/emailStatus until the mail is delivered (to the outbox with the
// default transport: http://localhost:8080/outbox). SendCloud has no API for sender addresses, so
// the sender is created once through the Tencent SES dialect (the SDK of examples/tencent-sdk.mjs).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ses } from 'tencentcloud-sdk-nodejs-ses';

/**
 * Where Postmill listens and the credentials: the environment first (POSTMILL_ENDPOINT,
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

/** Creates the sender domain and address once (Tencent's "already exists" answers count as done). */
async function ensureSender({ endpoint, secretId, secretKey }) {
  const tencent = new ses.v20201002.Client({
    credential: { secretId, secretKey },
    region: 'ap-guangzhou',
    profile: { httpProfile: { protocol: `${endpoint.protocol}//`, endpoint: endpoint.host } },
  });
  const ensure = (call, alreadyExists) =>
    call().catch((err) => {
      if (err.code !== alreadyExists) throw err;
    });
  await ensure(() => tencent.CreateEmailIdentity({ EmailIdentity: 'mail.example.com' }), 'InvalidParameterValue.RepeatCreation');
  await ensure(() => tencent.CreateEmailAddress({ EmailAddress: 'news@mail.example.com', EmailSenderName: 'News' }), 'InvalidParameterValue.RepeatEmailAddress');
}

const connection = postmillConnection();
await ensureSender(connection);

// #region readme
const { endpoint, secretId, secretKey } = connection;
// apiUser / apiKey = POSTMILL_SECRET_ID / POSTMILL_SECRET_KEY (or an apiUser made with apiuser/add).
const sendcloud = async (path, fields) => {
  const body = new URLSearchParams({ apiUser: secretId, apiKey: secretKey, ...fields });
  const res = await fetch(new URL(`/apiv2/${path}`, endpoint), { method: 'POST', body });
  const answer = await res.json(); // always {result, statusCode, message, info}
  if (!answer.result) throw new Error(`${path}: ${answer.statusCode} ${answer.message}`);
  return answer.info;
};

// xsmtpapi: one mail per recipient, each with its own %variables% (in the subject too).
const { emailIdList } = await sendcloud('mail/send', {
  from: 'news@mail.example.com',
  fromName: 'News',
  subject: 'Welcome, %name%',
  html: '<p>Hello %name%, welcome aboard.</p>',
  plain: 'Hello %name%, welcome aboard.',
  xsmtpapi: JSON.stringify({ to: ['alice@example.org'], sub: { '%name%': ['Alice'] } }),
});
console.log('emailIdList', emailIdList); // one "<messageId><index>$<recipient>" per recipient

for (let attempt = 1; ; attempt++) {
  const { voList } = await sendcloud('data/emailStatus', { emailIds: emailIdList.join(';'), days: '1' });
  const status = voList[0];
  if (status?.status === '投递成功') {
    console.log(`delivered to ${status.recipients}`);
    break;
  }
  if (status?.status === '无效邮件' || attempt === 30) throw new Error(`not delivered: ${JSON.stringify(status)}`);
  await new Promise((done) => setTimeout(done, 1000));
}
// #endregion readme
