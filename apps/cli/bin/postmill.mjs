#!/usr/bin/env node
// The `postmill` bin: runs the bundle (dist/main.js, from `pnpm --filter @postmill/cli build`)
// when it exists, else the TypeScript source through tsx (a checkout without a build).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/main.ts', import.meta.url).href);
}
