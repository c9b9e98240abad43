import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '@postmill/runtime';

/** The file in DATA_DIR holding the pid of the `npm start` that uses it. */
export const LOCK_FILE = 'postmill.pid';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

/**
 * Claims `dataDir` for this process, so two `npm start`s never run two embedded redis-servers on
 * one AOF directory (or overwrite each other's endpoint.json). Guarantees: rejects with a
 * one-line StartupError (`Startup.DataDirInUse`) while another live process holds it; a lock left
 * by a process that died (SIGKILL) is taken over; the returned function releases it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, LOCK_FILE);
  const mine = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, mine, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new StartupError(
        'Startup.DataDirInUse',
        `${dataDir} is in use by another npm start (pid ${holder}): stop it, or give this one its own DATA_DIR=<directory> (and PORT)`,
      );
    }
    await rm(file, { force: true }); // left by a process that is gone
  }
  return async () => {
    if ((await readFile(file, 'utf8').catch(() => '')) === mine) await rm(file, { force: true });
  };
}
