// Starts the fill worker (fill-worker.ts) in a worker thread: a worker gets no TypeScript loader
// from its parent (tsx's hooks stay on the main thread, and vitest's transform never reaches it).
import { register } from 'tsx/esm/api';

register();
await import(new URL('./fill-worker.ts', import.meta.url).href);
