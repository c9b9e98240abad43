import { abortableSleep, runCli } from './program.ts';

// The composition root: real streams, clock and signals. The first Ctrl-C asks the running
// command to stop cleanly (an import finishes the batch in flight and prints its summary);
// a second one quits at once.
const controller = new AbortController();
// A reader that closed early (`postmill tasks list --json | head -1`) has what it wanted: end
// quietly with 0, as Unix tools do, instead of crashing on the next write.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
  process.stderr.write('\nstopping… (Ctrl-C again to quit now)\n');
});

process.exitCode = await runCli(process.argv, {
  io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, stderrIsTTY: process.stderr.isTTY === true },
  env: process.env,
  cwd: process.cwd(),
  now: Date.now,
  sleep: abortableSleep(controller.signal),
  signal: controller.signal,
});
