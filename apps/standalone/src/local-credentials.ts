import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomId } from '@postmill/core';

/** A SecretId/SecretKey pair for this machine. */
export interface LocalCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  readonly generated: boolean;
}

/**
 * Returns the credentials kept in `<dataDir>/credentials.json`, generating them on first use.
 * Guarantees: the same pair on every start of this checkout; the file is readable by its owner only.
 */
export async function loadOrCreateCredentials(dataDir: string): Promise<LocalCredentials> {
  const file = join(dataDir, 'credentials.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { secretId?: unknown; secretKey?: unknown };
    if (typeof saved.secretId === 'string' && typeof saved.secretKey === 'string') {
      return { secretId: saved.secretId, secretKey: saved.secretKey, generated: false };
    }
  } catch {
    // absent or unreadable: generate a new pair below
  }
  const creds = { secretId: `AKID${randomId(32)}`, secretKey: randomId(32) };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { ...creds, generated: true };
}
