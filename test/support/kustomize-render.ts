import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A small, honest stand-in for `kustomize build`, for tests on a machine without the binary. It
 * renders exactly the subset infra/k8s uses and throws on anything else, so a new kustomize
 * feature in an overlay fails the tests instead of being rendered wrongly:
 * - `resources` (files, or directories holding a kustomization.yaml), `components` (kind Component);
 * - `patches` with `path` or inline `patch`, strategic merge only, targeted by the patch's own
 *   kind and name (a patch that matches nothing is an error, as in kustomize);
 * - `namespace` (namespaced kinds only) and `images` (newName / newTag / digest).
 * Order as kustomize: resources, then components, then this level's patches, namespace, images.
 */

/** A Kubernetes object as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** What a rendering produced and which files it read. */
export interface Rendering {
  readonly objects: K8sObject[];
  /** Every file read: kustomizations, resources, patches (absolute paths). */
  readonly files: Set<string>;
}

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'patches', 'namespace', 'images']);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ClusterTriggerAuthentication',
]);

/**
 * Strategic-merge keys of the lists infra/k8s patches (from the Kubernetes API's
 * `x-kubernetes-patch-merge-key`); every other list is replaced whole, as strategic merge does for
 * lists without a merge key.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  tolerations: 'key',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every document of a YAML file, parsed (empty documents skipped); throws on a YAML error. */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  if (!Array.isArray(docs)) return [];
  return docs
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function asObject(value: unknown, where: string): K8sObject {
  if (!isObject(value) || typeof value['kind'] !== 'string' || typeof value['apiVersion'] !== 'string') {
    throw new Error(`${where}: not a Kubernetes object (apiVersion and kind are required)`);
  }
  const metadata = value['metadata'];
  if (!isObject(metadata) || typeof metadata['name'] !== 'string') throw new Error(`${where}: metadata.name is required`);
  return value as unknown as K8sObject;
}

/** `kind/namespace/name`: kustomize's resource identity (group folded into kind is enough here). */
export function objectId(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ?? '~'}/${o.metadata.name}`;
}

/** Applies a strategic merge patch to a copy of `target`. */
export function strategicMerge(target: Json, patch: Json, field = ''): Json {
  if (patch === null) return null;
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return structuredClone(patch);
    const merged = structuredClone(target);
    for (const item of patch) {
      if (!isObject(item)) throw new Error(`strategic merge: ${field} items must be objects`);
      if ('$patch' in item) throw new Error('strategic merge: $patch directives are not supported by the test renderer');
      const at = merged.findIndex((t) => isObject(t) && t[key] === item[key]);
      if (at === -1) merged.push(structuredClone(item));
      else merged[at] = strategicMerge(merged[at] ?? null, item, field);
    }
    return merged;
  }
  if (!isObject(patch)) return patch;
  if ('$patch' in patch || Object.keys(patch).some((k) => k.startsWith('$'))) {
    throw new Error('strategic merge: $-directives are not supported by the test renderer');
  }
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k] ?? null, v, k);
  }
  return out;
}

function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withTag, digest] = image.split('@') as [string, string | undefined];
  const slash = withTag.lastIndexOf('/');
  const colon = withTag.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    name: hasTag ? withTag.slice(0, colon) : withTag,
    ...(hasTag ? { tag: withTag.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function applyImages(o: K8sObject, rules: readonly ImageRule[]): void {
  const spec = (o as { spec?: { template?: { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } } }).spec;
  const pod = spec?.template?.spec;
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    if (!c.image) continue;
    const current = splitImage(c.image);
    const rule = rules.find((r) => r.name === current.name);
    if (!rule) continue;
    const name = rule.newName ?? current.name;
    if (rule.digest) c.image = `${name}@${rule.digest}`;
    else {
      const tag = rule.newTag ?? current.tag;
      c.image = tag ? `${name}:${tag}` : name;
    }
  }
}

function readKustomization(dir: string, files: Set<string>): Record<string, unknown> {
  const candidates = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  files.add(file);
  const [doc, ...rest] = readYamlDocuments(file);
  if (!isObject(doc) || rest.length > 0) throw new Error(`${file}: must hold exactly one mapping`);
  for (const field of Object.keys(doc)) {
    if (!SUPPORTED_FIELDS.has(field)) throw new Error(`${file}: "${field}" is not supported by the test renderer (test/support/kustomize-render.ts)`);
  }
  return doc;
}

function stringList(doc: Record<string, unknown>, field: string, where: string): string[] {
  const value = doc[field] ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${where}: ${field} must be a list of paths`);
  return value;
}

function addObject(objects: K8sObject[], o: K8sObject, where: string): void {
  if (objects.some((x) => objectId(x) === objectId(o))) throw new Error(`${where}: ${objectId(o)} is defined twice`);
  objects.push(o);
}

function loadResource(path: string, objects: K8sObject[], files: Set<string>, where: string): void {
  if (!existsSync(path)) throw new Error(`${where}: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const sub = renderDir(path, files, 'Kustomization');
    for (const o of sub) addObject(objects, o, where);
    return;
  }
  files.add(path);
  for (const doc of readYamlDocuments(path)) addObject(objects, asObject(doc, path), where);
}

function applyPatches(kustomization: Record<string, unknown>, dir: string, objects: K8sObject[], files: Set<string>, where: string): void {
  const patches = kustomization['patches'] ?? [];
  if (!Array.isArray(patches)) throw new Error(`${where}: patches must be a list`);
  for (const entry of patches) {
    if (!isObject(entry)) throw new Error(`${where}: each patch is a mapping with path or patch`);
    if ('target' in entry || 'options' in entry)
      throw new Error(`${where}: patch target/options are not supported by the test renderer; name the object in the patch`);
    let docs: unknown[];
    if (typeof entry['path'] === 'string') {
      const file = resolve(dir, entry['path']);
      if (!existsSync(file)) throw new Error(`${where}: patch ${entry['path']} does not exist`);
      files.add(file);
      docs = readYamlDocuments(file);
    } else if (typeof entry['patch'] === 'string') {
      docs = parseAllDocuments(entry['patch']).flatMap((d) => (Array.isArray(d) ? [] : [d.toJS() as unknown]));
    } else throw new Error(`${where}: a patch needs path or patch`);
    for (const doc of docs) {
      if (Array.isArray(doc)) throw new Error(`${where}: JSON 6902 patches are not supported by the test renderer`);
      const patch = asObject(doc, `${where} patch`);
      const matches = objects.filter(
        (o) =>
          o.kind === patch.kind &&
          o.metadata.name === patch.metadata.name &&
          (patch.metadata.namespace === undefined || patch.metadata.namespace === o.metadata.namespace),
      );
      if (matches.length !== 1) throw new Error(`${where}: patch for ${patch.kind}/${patch.metadata.name} matches ${matches.length} objects`);
      const target = matches[0] as K8sObject;
      const merged = strategicMerge(target as unknown as Json, patch as unknown as Json) as unknown as K8sObject;
      objects.splice(objects.indexOf(target), 1, merged);
    }
  }
}

function renderDir(dir: string, files: Set<string>, expectedKind: 'Kustomization' | 'Component'): K8sObject[] {
  const k = readKustomization(dir, files);
  const where = relative(process.cwd(), join(dir, 'kustomization.yaml'));
  if ((k['kind'] ?? 'Kustomization') !== expectedKind) throw new Error(`${where}: expected kind ${expectedKind}, found ${String(k['kind'])}`);
  const objects: K8sObject[] = [];
  for (const r of stringList(k, 'resources', where)) loadResource(resolve(dir, r), objects, files, where);
  for (const c of stringList(k, 'components', where)) {
    const componentDir = resolve(dir, c);
    const component = readKustomization(componentDir, files);
    const cWhere = relative(process.cwd(), join(componentDir, 'kustomization.yaml'));
    if (component['kind'] !== 'Component') throw new Error(`${cWhere}: a component must have kind Component`);
    for (const field of ['namespace', 'images', 'components'])
      if (field in component) throw new Error(`${cWhere}: ${field} in a component is not supported by the test renderer`);
    for (const r of stringList(component, 'resources', cWhere)) loadResource(resolve(componentDir, r), objects, files, cWhere);
    applyPatches(component, componentDir, objects, files, cWhere);
  }
  applyPatches(k, dir, objects, files, where);
  const namespace = k['namespace'];
  if (namespace !== undefined) {
    if (typeof namespace !== 'string') throw new Error(`${where}: namespace must be a string`);
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = namespace;
  }
  const images = k['images'] ?? [];
  if (!Array.isArray(images) || !images.every((i) => isObject(i) && typeof i['name'] === 'string'))
    throw new Error(`${where}: images must be a list of {name, newName?, newTag?, digest?}`);
  for (const o of objects) applyImages(o, images as unknown as ImageRule[]);
  return objects;
}

/** Renders the kustomization in `dir` like `kustomize build dir` would, for the supported subset. */
export function renderKustomization(dir: string): Rendering {
  const files = new Set<string>();
  const objects = renderDir(resolve(dir), files, 'Kustomization');
  return { objects, files };
}
