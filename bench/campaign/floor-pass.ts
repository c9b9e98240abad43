import { spawn } from 'node:child_process';
import { envSchema } from '@postmill/config';
import type { CampaignFloorOptions, CampaignFloorResult } from './floor-loop.ts';

/** The floor loop's entry, from the repository root. */
export const FLOOR_LOOP_ENTRY = 'bench/campaign/floor-loop-main.ts';

/** One floor pass as handed to its process: the loop's options, with a Redis URL instead of connections. */
export type FloorPassSpec = Omit<CampaignFloorOptions, 'redis' | 'admin'> & { readonly redisUrl: string };

/** Thrown when a pass's JSON is not a FloorPassSpec. */
export class FloorPassSpecError extends Error {
  override readonly name = 'FloorPassSpecError';
  readonly code = 'FloorPassSpec';
}

/** Reads a pass written by `runFloorPass`; throws FloorPassSpecError for anything else. */
export function parseFloorPassSpec(json: string): FloorPassSpec {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (cause) {
    throw new FloorPassSpecError('the floor pass is not JSON', { cause });
  }
  const o = v as Partial<FloorPassSpec> | null;
  const isCount = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 1;
  if (
    !o ||
    typeof o.redisUrl !== 'string' ||
    typeof o.listPrefix !== 'string' ||
    typeof o.prefix !== 'string' ||
    !isCount(o.receiverId) ||
    !isCount(o.recipients) ||
    !isCount(o.chunkSize) ||
    (o.variant !== 'ledger' && o.variant !== 'render') ||
    typeof o.content?.subject !== 'string'
  ) {
    throw new FloorPassSpecError(`not a floor pass: ${json.slice(0, 200)}`);
  }
  return o as FloorPassSpec;
}

/**
 * Runs one floor pass in a process of its own (`node --import tsx bench/campaign/floor-loop-main.ts`
 * from `repoRoot`, its environment without Postmill's settings), so its CPU is its own and its heap
 * is not the bench's. Resolves with the pass's figures; rejects with its stderr when it failed.
 */
export function runFloorPass(repoRoot: string, spec: FloorPassSpec): Promise<CampaignFloorResult> {
  const env = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) delete env[key];
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', FLOOR_LOOP_ENTRY, JSON.stringify(spec)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || last === '') {
        reject(new Error(`the campaign floor (${spec.variant}) exited with ${code}: ${stderr.trim()}`));
        return;
      }
      resolve(JSON.parse(last) as CampaignFloorResult);
    });
  });
}
