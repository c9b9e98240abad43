// Postmill with Alibaba Cloud's official DirectMail SDK (@alicloud/dm20151123), unchanged: only the
// endpoint differs. Run it from the repository root after `npm start`:
//
//   node examples/aliyun-sdk.mjs
//
// It creates a sender domain, a sender address and a template, sends one mail with SingleSendMail
// and polls its delivery detail until it is delivered (to the outbox with the default transport:
// http://localhost:8080/outbox).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Dm, {
  CreateDomainRequest,
  CreateMailAddressRequest,
  QueryTemplateByParamRequest,
  SenderStatisticsDetailByParamRequest,
  SingleSendMailRequest,
  SingleSendMailRequestTemplate,
} from '@alicloud/dm20151123';
import { $OpenApiUtil } from '@alicloud/openapi-core';

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
// The SDK's default V3 signing (ACS3-HMAC-SHA256); `signatureAlgorithm: 'v2'` (V1) works as well.
const client = new Dm.default(
  new $OpenApiUtil.Config({
    accessKeyId: secretId, // POSTMILL_SECRET_ID
    accessKeySecret: secretKey, // POSTMILL_SECRET_KEY
    endpoint: endpoint.host,
    protocol: endpoint.protocol.replace(':', ''),
  }),
);

/** Runs `call`, treating DirectMail's "already exists" answer as success (so the example can run again). */
async function ensure(call, alreadyExists) {
  try {
    const { body } = await call();
    return body;
  } catch (err) {
    if (err.code !== alreadyExists) throw err;
    return { already: alreadyExists };
  }
}

console.log('domain', await ensure(() => client.createDomain(new CreateDomainRequest({ domainName: 'mail.example.com' })), 'InvalidDomainName.Duplicate'));
console.log(
  'sender',
  await ensure(
    () => client.createMailAddress(new CreateMailAddressRequest({ accountName: 'news@mail.example.com', sendtype: 'trigger' })),
    'InvalidMailAddressName.Duplicate',
  ),
);

// The typed SDK has no createTemplate; its generic callApi sends it as the SDK sends every RPC action.
// DirectMail's template variables are written {name}.
const createTemplate = (query) =>
  client.callApi(
    new $OpenApiUtil.Params({ action: 'CreateTemplate', version: '2015-11-23', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' }),
    new $OpenApiUtil.OpenApiRequest({ query }),
    {},
  );
await ensure(() => createTemplate({ TemplateName: 'welcome', TemplateSubject: 'Welcome, {name}', TemplateText: '<p>Hello {name}, welcome aboard.</p>' }), 'InvalidTemplateName.Duplicate');
const templates = await client.queryTemplateByParam(new QueryTemplateByParamRequest({ keyWord: 'welcome' }));
const { templateId } = templates.body.data.template.find((t) => t.templateName === 'welcome');
console.log(`template ${templateId}`);

// Delivery details per recipient (Status 0 = delivered), to tell this mail from earlier runs' ones.
const deliveredToAlice = async () => {
  const request = new SenderStatisticsDetailByParamRequest({ toAddress: 'alice@example.org', status: 0, length: 100 });
  const { body } = await client.senderStatisticsDetailByParam(request);
  return (body.data?.mailDetail ?? []).filter((d) => d.accountName === 'news@mail.example.com');
};
const before = (await deliveredToAlice()).length;

const sent = await client.singleSendMail(
  new SingleSendMailRequest({
    accountName: 'news@mail.example.com',
    addressType: 1,
    replyToAddress: false,
    toAddress: 'alice@example.org',
    subject: 'Welcome, Alice',
    template: new SingleSendMailRequestTemplate({ templateId, templateData: { name: 'Alice' } }),
  }),
);
console.log('SingleSendMail', sent.body);

for (let attempt = 1; ; attempt++) {
  const delivered = await deliveredToAlice();
  if (delivered.length > before) {
    console.log(`delivered to ${delivered.at(-1).toAddress}`);
    break;
  }
  if (attempt === 30) throw new Error('not delivered within 30 s: see SenderStatisticsDetailByParam without Status for why');
  await new Promise((done) => setTimeout(done, 1000));
}
// #endregion readme
