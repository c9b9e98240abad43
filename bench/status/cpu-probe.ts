// npx tsx bench/status/cpu-probe.ts [--messages 20000] [--calls 2000] [--warmup 500] [--offset 0]
//                                  [--layer store|api|both] [--alloc-profile FILE]
//
// Not a bench with a target: a probe of what one GetSendEmailStatus page (by date, Limit 100)
// costs this process, for judging a change on a busy machine where p99 says little. Fills a day
// like bench:status (in a worker thread), then, after the warm-up calls, times `--calls` calls at
// the store (MessageStore.queryStatus) and through the real API (signed calls over loopback, as
// bench:status makes them) and prints per layer the CPU time per call (user + system, this
// process: API and client), p50/p90/p99 and the GC pauses meanwhile. With --alloc-profile it
// instead records a sampling heap profile of the API calls (objects collected by the GC
// included) to FILE, the allocations of a page by function. Run it under `node --cpu-prof`
// (node --import tsx --cpu-prof bench/status/cpu-probe.ts --layer api) for a CPU profile.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '@postmill/config';
import { calendarDate } from '@postmill/core';
import { createLogger, createSharedServices, startApi } from '@postmill/runtime';
import { freePort, spawnRedisServer } from '@postmill/store';
import { signTencentRequest } from '@postmill/tc3';
import { fillInWorker } from './fill-in-worker.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    calls: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '500' },
    offset: { type: 'string', default: '0' },
    layer: { type: 'string', default: 'both' },
    'alloc-profile': { type: 'string' },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const offset = Number(values.offset);
const SECRET = { secretId: 'AKIDcpuprobe', secretKey: 'cpu-probe-secret' };
const ZONE = 'Asia/Shanghai';

const server = await spawnRedisServer();
const port = await freePort();
const config = parseConfig({
  REDIS_URL: server.url,
  REDIS_PREFIX: 'cpuprobe',
  HOST: '127.0.0.1',
  PORT: String(port),
  MAIL_TRANSPORT: 'null',
  POSTMILL_SECRET_ID: SECRET.secretId,
  POSTMILL_SECRET_KEY: SECRET.secretKey,
  SCHEDULE_TIMEZONE: ZONE,
  API_RATE_LIMIT_PER_SECOND: '0',
  LOG_LEVEL: 'warn',
});
const shared = createSharedServices(config, { redisUrl: server.url, connectionName: 'cpu-probe', failFast: true });
const api = await startApi(config, shared, createLogger({ level: 'warn', pretty: false, name: 'cpu-probe' }));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function post(headers: Record<string, string>, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headersWithLength = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent, headers: headersWithLength }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(name: string, call: () => Promise<void>): Promise<void> {
  for (let i = 0; i < warmup; i++) await call();
  let pauses = 0;
  let pausedMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      pauses++;
      pausedMs += e.duration;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const ms = new Float64Array(calls);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call();
    ms[i] = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  gc.disconnect();
  ms.sort();
  const at = (p: number) => (ms[Math.min(calls - 1, Math.floor(calls * p))] ?? Number.NaN).toFixed(2);
  const perCall = (us: number) => (us / 1000 / calls).toFixed(3);
  process.stdout.write(
    `${name}: cpu/call ${perCall(cpu.user + cpu.system)} ms (user ${perCall(cpu.user)}, system ${perCall(cpu.system)}) | p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} ms | GC ${pauses} pauses, ${pausedMs.toFixed(0)} ms\n`,
  );
}

try {
  const day = await fillInWorker({
    redisUrl: server.url,
    prefix: config.redis.prefix,
    messages: Number(values.messages),
    acceptedAt: Date.now(),
    retentionDays: config.limits.statusRetentionDays,
    timeZone: ZONE,
  });
  const date = calendarDate(day.acceptedAt, ZONE);
  const apiCall = async () => {
    const text = JSON.stringify({ RequestDate: date, Limit: 100, Offset: offset });
    const headers = signTencentRequest(
      SECRET,
      {
        host: `127.0.0.1:${port}`,
        action: 'GetSendEmailStatus',
        version: '2020-10-02',
        timestamp: Math.floor(Date.now() / 1000),
        service: 'ses',
        traceId: randomUUID(),
      },
      text,
    );
    const answer = JSON.parse(await post(headers, text)) as { Response: { EmailStatusList?: unknown[] } };
    if (answer.Response.EmailStatusList === undefined) throw new Error(JSON.stringify(answer));
  };
  const storeCall = async () => {
    await shared.messages.queryStatus({ date, offset, limit: 100 });
  };
  const profileTo = values['alloc-profile'];
  if (profileTo !== undefined) {
    for (let i = 0; i < warmup; i++) await apiCall();
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    // Flags of Chrome's protocol that Node's typings do not list yet.
    const sampling = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
    await session.post('HeapProfiler.startSampling', sampling as { samplingInterval: number });
    for (let i = 0; i < calls; i++) await apiCall();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(profileTo, JSON.stringify(profile));
    process.stdout.write(`heap profile of ${calls} API calls written to ${profileTo}\n`);
  } else {
    if (values.layer !== 'api') await measure('store', storeCall);
    if (values.layer !== 'store') await measure('api  ', apiCall);
  }
} finally {
  agent.destroy();
  await api.close();
  await shared.close();
  await server.stop();
}
