import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { envSchema, parseConfig } from '@postmill/config';
import { QUEUE } from '@postmill/queue';
import { createKeys, freePort } from '@postmill/store';
import { Redis } from 'ioredis';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, type IContainer, type IPodSpec, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dockerStages, envKeys, isDockerIgnored } from './support/dockerfile.ts';
import { type K8sObject, type Rendering, readYamlDocuments, renderKustomization } from './support/kustomize-render.ts';

// Offline checks of everything under infra/ (no container engine, kubectl or kustomize runs here):
// the overlays are rendered by a small kustomize stand-in (test/support/kustomize-render.ts) and
// every object is validated against the Kubernetes and KEDA schemas of kubernetes-models. Those
// schemas do not reject unknown fields, so the fields that matter (probes, resources, security
// context) are asserted to be present by name below, which catches their typos.

const root = fileURLToPath(new URL('..', import.meta.url));
const infra = join(root, 'infra');
const k8s = join(infra, 'k8s');
const OVERLAYS = ['dev', 'prod'] as const;
const SCHEMA_KEYS = new Set(Object.keys(envSchema.shape));

function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => pattern.test(f) && statSync(f).isFile())
    .sort();
}

const rel = (file: string) => relative(root, file);

// biome-ignore lint/suspicious/noExplicitAny: each model takes its own interface; the YAML is checked by validate()
type ModelClass = new (data: any) => { validate(): void };
const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
};

const renderings = new Map<string, Rendering>();
function rendering(name: string): Rendering {
  let r = renderings.get(name);
  if (!r) {
    r = renderKustomization(name === 'base' ? join(k8s, 'base') : join(k8s, 'overlays', name));
    renderings.set(name, r);
  }
  return r;
}

const find = (objects: readonly K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/** Postmill's own Deployments (the API and the workers), by component. */
function postmillDeployments(objects: readonly K8sObject[]): { component: 'api' | 'worker'; deployment: IDeployment }[] {
  return objects
    .filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/name'] === 'postmill')
    .map((o) => {
      const component = o.metadata.labels?.['app.kubernetes.io/component'];
      if (component !== 'api' && component !== 'worker') throw new Error(`${o.metadata.name}: unknown component ${component}`);
      return { component, deployment: o as unknown as IDeployment };
    });
}

function podSpec(d: IDeployment): IPodSpec {
  const spec = d.spec?.template.spec;
  if (!spec) throw new Error(`${d.metadata?.name}: no pod spec`);
  return spec;
}

function decodeSecret(o: K8sObject): Record<string, string> {
  const data = Object.fromEntries(Object.entries((o['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...data, ...((o['stringData'] ?? {}) as Record<string, string>) };
}

/**
 * The environment one container gets: envFrom sources in order, then env. Returns the variables
 * with their sources, and which referenced Secrets are not in the rendering (created out of band).
 */
function containerEnv(objects: readonly K8sObject[], c: IContainer) {
  const env: Record<string, string> = {};
  const sources: string[] = [];
  const missingSecrets: string[] = [];
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      const cm = find(objects, 'ConfigMap', from.configMapRef.name ?? '');
      if (!cm) throw new Error(`${c.name}: ConfigMap ${from.configMapRef.name} is not in the rendering`);
      Object.assign(env, cm['data'] ?? {});
      sources.push(`ConfigMap ${cm.metadata.name}`);
    }
    if (from.secretRef) {
      const secret = find(objects, 'Secret', from.secretRef.name ?? '');
      if (secret) {
        Object.assign(env, decodeSecret(secret));
        sources.push(`Secret ${secret.metadata.name}`);
      } else missingSecrets.push(from.secretRef.name ?? '');
    }
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else env[e.name] = '';
  }
  return { env, sources, missingSecrets };
}

/** SHUTDOWN_GRACE_SECONDS etc. as the process would read them: the schema's parse of `env`. */
function effective(env: Record<string, string>) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return parsed.data;
}

function containerPort(c: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function preStopSleepSeconds(c: IContainer): number {
  const exec = c.lifecycle?.preStop?.exec?.command;
  if (exec?.[0] === 'sleep') return Number(exec[1]);
  const sleep = (c.lifecycle?.preStop as { sleep?: { seconds?: number } } | undefined)?.sleep?.seconds;
  return sleep ?? 0;
}

describe('YAML under infra/', () => {
  it('parses every document of every YAML file', () => {
    const files = filesUnder(infra, /\.ya?ml$/u);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(() => readYamlDocuments(f), rel(f)).not.toThrow();
  });

  it('uses every file under infra/k8s in the base or an overlay (no forgotten manifest or patch)', () => {
    const used = new Set<string>();
    for (const name of ['base', ...OVERLAYS]) for (const f of rendering(name).files) used.add(f);
    const unused = filesUnder(k8s, /\.ya?ml$/u).filter((f) => !used.has(f));
    expect(unused.map(rel)).toEqual([]);
  });

  it('validates the base on its own against the Kubernetes schemas', () => {
    for (const o of rendering('base').objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `no schema for ${o.apiVersion}/${o.kind}`).toBeDefined();
      expect(() => new (Model as ModelClass)(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });
});

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = () => rendering(overlay).objects;

  it('renders: every resource, component and patch file exists and every patch targets exactly one object', () => {
    expect(() => rendering(overlay)).not.toThrow();
    const namespaces = new Set(objects().map((o) => o.metadata.namespace));
    expect([...namespaces]).toHaveLength(1);
    expect(find(objects(), 'Deployment', 'postmill-api')).toBeDefined();
    expect(find(objects(), 'Deployment', 'postmill-worker')).toBeDefined();
    expect(find(objects(), 'Service', 'postmill-api')).toBeDefined();
    expect(objects().filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(2);
  });

  it('validates every object against the Kubernetes and KEDA schemas', () => {
    for (const o of objects()) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `no schema for ${o.apiVersion}/${o.kind}: add its kubernetes-models class to MODELS`).toBeDefined();
      expect(() => new (Model as ModelClass)(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('sets only variables that envSchema defines, with values it accepts', () => {
    for (const { deployment } of postmillDeployments(objects())) {
      for (const c of podSpec(deployment).containers) {
        const { env, sources } = containerEnv(objects(), c);
        expect(sources.length, `${c.name} takes its settings from the ConfigMap`).toBeGreaterThan(0);
        const unknown = Object.keys(env).filter((k) => !SCHEMA_KEYS.has(k));
        expect(unknown, `${deployment.metadata?.name}/${c.name}: not in envSchema`).toEqual([]);
        expect(() => effective(env), `${deployment.metadata?.name}/${c.name}`).not.toThrow();
      }
    }
  });

  it('probes /healthz (liveness) and /readyz (readiness) and has Prometheus scrape /metrics: the API on PORT, the worker on WORKER_PORT', () => {
    const deployments = postmillDeployments(objects());
    expect(deployments.map((d) => d.component).sort()).toEqual(['api', 'worker']);
    for (const { component, deployment } of deployments) {
      const [c, ...others] = podSpec(deployment).containers;
      expect(others).toEqual([]);
      const container = c as IContainer;
      const settings = effective(containerEnv(objects(), container).env);
      const port = component === 'api' ? settings.PORT : settings.WORKER_PORT;
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(containerPort(container, container.livenessProbe?.httpGet?.port)).toBe(port);
      expect(containerPort(container, container.readinessProbe?.httpGet?.port)).toBe(port);
      if (container.startupProbe) expect(containerPort(container, container.startupProbe.httpGet?.port)).toBe(port);
      expect(container.args).toEqual([component]);
      const annotations = deployment.spec?.template.metadata?.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/port']).toBe(String(port));
      expect(annotations['prometheus.io/path']).toBe('/metrics');
    }
  });

  it('gives pods a terminationGracePeriodSeconds above SHUTDOWN_GRACE_SECONDS plus any preStop sleep', () => {
    for (const { deployment } of postmillDeployments(objects())) {
      const spec = podSpec(deployment);
      for (const c of spec.containers) {
        const grace = effective(containerEnv(objects(), c).env).SHUTDOWN_GRACE_SECONDS;
        expect(spec.terminationGracePeriodSeconds, `${deployment.metadata?.name}`).toBeGreaterThan(grace + preStopSleepSeconds(c));
      }
    }
  });

  it('runs every pod as non-root with a read-only root filesystem, no privilege escalation, and resource requests and limits', () => {
    for (const o of objects().filter((x) => x.kind === 'Deployment')) {
      const d = o as unknown as IDeployment;
      const spec = podSpec(d);
      expect(spec.securityContext?.runAsNonRoot, o.metadata.name).toBe(true);
      expect(spec.automountServiceAccountToken, o.metadata.name).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
        expect(c.securityContext?.capabilities?.drop, c.name).toEqual(['ALL']);
        expect(c.resources?.requests?.['cpu'], c.name).toBeDefined();
        expect(c.resources?.requests?.['memory'], c.name).toBeDefined();
        expect(c.resources?.limits?.['memory'], c.name).toBeDefined();
      }
    }
  });

  it('lets exactly one autoscaler own the worker Deployment, which sets no replicas of its own', () => {
    const worker = find(objects(), 'Deployment', 'postmill-worker') as unknown as IDeployment;
    expect(worker.spec?.replicas).toBeUndefined();
    const hpas = objects().filter((o) => o.kind === 'HorizontalPodAutoscaler') as unknown as IHorizontalPodAutoscaler[];
    const scaled = objects().filter((o) => o.kind === 'ScaledObject');
    const owners = [
      ...hpas.filter((h) => h.spec?.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === 'postmill-worker'),
      ...scaled.filter((s) => (s['spec'] as { scaleTargetRef: { name: string; kind?: string } }).scaleTargetRef.name === 'postmill-worker'),
    ];
    expect(owners, 'KEDA creates its own HPA: an overlay may hold a ScaledObject or an HPA for the worker, never both').toHaveLength(1);
    for (const h of hpas) expect(find(objects(), 'Deployment', h.spec?.scaleTargetRef.name ?? ''), `HPA ${h.metadata?.name} target`).toBeDefined();
  });

  it('scales on the delivery queue wait list of the configured prefix when it uses KEDA', () => {
    const so = objects().find((o) => o.kind === 'ScaledObject');
    if (!so) return; // this overlay uses the plain CPU HPA
    const spec = so['spec'] as {
      minReplicaCount?: number;
      triggers: { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[];
    };
    const worker = find(objects(), 'Deployment', 'postmill-worker') as unknown as IDeployment;
    const container = podSpec(worker).containers[0] as IContainer;
    const prefix = effective(containerEnv(objects(), container).env).REDIS_PREFIX;
    const redis = spec.triggers.find((t) => t.type === 'redis' || t.type === 'redis-cluster');
    expect(redis?.metadata['listName']).toBe(`${createKeys(prefix).bullPrefix}:${QUEUE.delivery}:wait`);
    expect(Number(redis?.metadata['listLength'])).toBeGreaterThan(0);
    expect(find(objects(), 'TriggerAuthentication', redis?.authenticationRef?.name ?? ''), 'the trigger authentication exists').toBeDefined();
    // And on the SendEmail intake, which only a running worker's pump empties.
    const intake = spec.triggers.find((t) => t.metadata['listName'] === createKeys(prefix).deliveryIntake);
    expect(intake?.type).toBe(redis?.type);
    expect(Number(intake?.metadata['listLength'])).toBeGreaterThan(0);
    expect(intake?.authenticationRef?.name).toBe(redis?.authenticationRef?.name);
    // Delayed jobs (retries, scheduled runs) are not in the wait list; only a running worker promotes them.
    expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it('selects the right pods from every Service and PodDisruptionBudget, through ports that exist', () => {
    const pods = objects()
      .filter((o) => o.kind === 'Deployment')
      .map((o) => (o as unknown as IDeployment).spec?.template);
    const selects = (selector: Record<string, string>) => pods.filter((t) => Object.entries(selector).every(([k, v]) => t?.metadata?.labels?.[k] === v));
    for (const o of objects()) {
      if (o.kind === 'Service') {
        const spec = o['spec'] as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
        const [template, ...more] = selects(spec.selector);
        expect(more, `${o.metadata.name} selects one Deployment's pods`).toEqual([]);
        for (const p of spec.ports) {
          const ok = template?.spec?.containers.some((c) => containerPort(c, p.targetPort) !== undefined);
          expect(ok, `${o.metadata.name} targetPort ${p.targetPort}`).toBe(true);
        }
      }
      if (o.kind === 'PodDisruptionBudget') {
        const spec = o['spec'] as { selector: { matchLabels: Record<string, string> } };
        expect(selects(spec.selector.matchLabels), o.metadata.name).toHaveLength(1);
      }
    }
  });
});

describe('the dev overlay', () => {
  it('is complete: its Secret makes a configuration parseConfig accepts, against its own noeviction Redis', () => {
    const objects = rendering('dev').objects;
    const api = find(objects, 'Deployment', 'postmill-api') as unknown as IDeployment;
    const { env, missingSecrets } = containerEnv(objects, podSpec(api).containers[0] as IContainer);
    expect(missingSecrets).toEqual([]);
    expect(() => parseConfig(env)).not.toThrow();
    const redis = find(objects, 'Deployment', 'redis') as unknown as IDeployment;
    expect(podSpec(redis).containers[0]?.args?.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(new URL(env['REDIS_URL'] ?? '').hostname).toBe('redis');
    expect(find(objects, 'Service', 'redis')).toBeDefined();
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stages = dockerStages(dockerfile);
  const final = stages.at(-1);

  it('builds and runs on Node 22, the final stage as a non-root numeric user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image).toMatch(/^node:22([.-]|$)/u);
    const users = final?.instructions.filter((i) => i.keyword === 'USER') ?? [];
    const user = users.at(-1)?.args ?? '';
    expect(user, 'numeric, so runAsNonRoot can verify it').toMatch(/^[0-9]+(:[0-9]+)?$/u);
    expect(user.split(':')[0]).not.toBe('0');
    const pods = OVERLAYS.flatMap((o) => postmillDeployments(rendering(o).objects));
    for (const { deployment } of pods) expect(String(podSpec(deployment).securityContext?.runAsUser)).toBe(user.split(':')[0]);
  });

  it('installs the pnpm of packageManager and copies only files that exist and survive .dockerignore', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string };
    expect(dockerfile).toContain(`ARG PNPM_VERSION=${pkg.packageManager.replace(/^pnpm@/u, '')}`);
    const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8');
    for (const s of stages) {
      for (const ins of s.instructions.filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))) {
        const parts = ins.args.split(/\s+/u).filter((p) => !p.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          if (source === '.') continue;
          expect(existsSync(join(root, source)), source).toBe(true);
          expect(isDockerIgnored(source, dockerignore), `${source} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
    for (const needed of [
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'package.json',
      'apps/api/src/main.ts',
      'packages/store/src/keys.ts',
      'scripts/build-app.mjs',
      'bench/package.json',
      'test/package.json',
    ]) {
      expect(isDockerIgnored(needed, dockerignore), needed).toBe(false);
    }
    for (const kept of ['node_modules/yaml/package.json', 'apps/api/dist/main.js', '.git/HEAD', '.postmill/credentials.json']) {
      expect(isDockerIgnored(kept, dockerignore), kept).toBe(true);
    }
  });

  it('sets only variables that envSchema defines', () => {
    const keys = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ENV').flatMap((i) => envKeys(i.args)));
    expect(keys.filter((k) => !SCHEMA_KEYS.has(k))).toEqual([]);
  });

  it('runs the API or a worker by command, through an entrypoint that knows both', () => {
    const entrypoint = readFileSync(join(infra, 'docker', 'entrypoint.sh'), 'utf8');
    expect(entrypoint).toMatch(/api \| worker\)/u);
    expect(entrypoint).toContain('exec node');
    expect(statSync(join(infra, 'docker', 'entrypoint.sh')).mode & 0o111).not.toBe(0);
    expect(final?.instructions.find((i) => i.keyword === 'CMD')?.args).toBe('["api"]');
    for (const app of ['api', 'worker']) expect(dockerfile).toContain(`--filter @postmill/app-${app} deploy --prod`);
  });
});

/** `${VAR:-default}` and `${VAR-default}` resolve to the default, `${VAR}` to '' (an unset shell). */
const interpolate = (v: unknown) =>
  String(v)
    .replace(/\$\{\w+(?::?-([^}]*))?\}/gu, (_all, d: string | undefined) => d ?? '')
    .replaceAll('$$', '$');

describe('infra/compose.yaml', () => {
  const compose = parseYaml(readFileSync(join(infra, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        build?: { context: string; dockerfile?: string };
        image?: string;
        command?: string[];
        environment?: Record<string, unknown>;
        volumes?: string[];
        stop_grace_period?: string;
        depends_on?: Record<string, { condition: string }>;
      }
    >;
  };
  const services = Object.entries(compose.services);
  const postmill = services.filter(([, s]) => s.build !== undefined);

  it('references only files that exist: build context, Dockerfile and mounted files', () => {
    for (const [name, s] of services) {
      if (s.build) {
        const context = resolve(infra, s.build.context);
        expect(existsSync(join(context, s.build.dockerfile ?? 'Dockerfile')), `${name} Dockerfile`).toBe(true);
      }
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(resolve(infra, source)), `${name}: ${source}`).toBe(true);
      }
    }
  });

  it('runs Redis on redis.conf, one API and two workers sending over SMTP to the catcher', () => {
    const redis = compose.services['redis'];
    expect(redis?.volumes?.some((v) => v.startsWith('./redis/redis.conf:'))).toBe(true);
    const mounted = redis?.volumes?.find((v) => v.startsWith('./redis/redis.conf:'))?.split(':')[1];
    expect(redis?.command).toEqual(['redis-server', mounted]);
    expect(postmill.filter(([, s]) => s.command?.[0] === 'api')).toHaveLength(1);
    expect(postmill.filter(([, s]) => s.command?.[0] === 'worker')).toHaveLength(2);
    for (const [name, s] of postmill) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      expect(env['MAIL_TRANSPORT'], name).toBe('smtp');
      const smtpHost = new URL(env['SMTP_URL'] ?? '').hostname;
      expect(compose.services[smtpHost]?.image, `${name}: SMTP_URL names the catcher service`).toMatch(/mailpit/u);
      expect(compose.services[new URL(env['REDIS_URL'] ?? '').hostname], `${name}: REDIS_URL names a service`).toBe(redis);
      expect(s.depends_on?.['redis']?.condition).toBe('service_healthy');
    }
  });

  it('sets only envSchema variables on Postmill services, making configurations parseConfig accepts', () => {
    for (const [name, s] of postmill) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      expect(
        Object.keys(env).filter((k) => !SCHEMA_KEYS.has(k)),
        name,
      ).toEqual([]);
      expect(() => parseConfig(env), name).not.toThrow();
    }
    const secretKeys = new Set(postmill.map(([, s]) => interpolate(s.environment?.['POSTMILL_SECRET_KEY'])));
    expect(secretKeys.size, 'API and workers share POSTMILL_SECRET_KEY (it signs unsubscribe links)').toBe(1);
  });

  it('stops Postmill containers with a grace period above SHUTDOWN_GRACE_SECONDS', () => {
    for (const [name, s] of postmill) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
      const seconds = Number(/^(\d+)s$/u.exec(s.stop_grace_period ?? '')?.[1]);
      expect(seconds, name).toBeGreaterThan(effective(env).SHUTDOWN_GRACE_SECONDS);
    }
  });
});

/** `directive value...` lines of a redis.conf. */
function redisDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [key, ...value] = t.split(/\s+/u);
    out.set((key ?? '').toLowerCase(), value.join(' '));
  }
  return out;
}

describe('infra/redis/redis.conf', () => {
  const file = join(infra, 'redis', 'redis.conf');

  it('persists with AOF every second and never evicts', () => {
    const d = redisDirectives(readFileSync(file, 'utf8'));
    expect(d.get('appendonly')).toBe('yes');
    expect(d.get('appendfsync')).toBe('everysec');
    expect(d.get('maxmemory-policy')).toBe('noeviction');
  });

  it('is accepted by redis-server, which then reports those settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postmill-redis-conf-'));
    const port = await freePort();
    // Started by this test on its own port and directory; stopped below.
    const server = spawn('redis-server', [file, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    try {
      await new Promise<void>((ready, fail) => {
        const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 10_000);
        const onData = (b: Buffer) => {
          output += b.toString();
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer);
            ready();
          }
        };
        server.stdout.on('data', onData);
        server.stderr.on('data', onData);
        server.once('exit', (code) => {
          clearTimeout(timer);
          fail(new Error(`redis-server refused infra/redis/redis.conf (exit ${code}):\n${output}`));
        });
      });
      const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
      try {
        await redis.connect();
        expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
        expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
        expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
      } finally {
        redis.disconnect();
      }
    } finally {
      server.removeAllListeners('exit');
      if (server.exitCode === null) {
        const exited = new Promise((done) => server.once('exit', done));
        server.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infra/grafana', () => {
  const dashboards = filesUnder(join(infra, 'grafana'), /\.json$/u);
  it.skipIf(dashboards.length === 0)('holds dashboards that parse as JSON objects', () => {
    for (const f of dashboards) {
      const parsed = JSON.parse(readFileSync(f, 'utf8')) as unknown;
      expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed), rel(f)).toBe(true);
    }
  });
});
