import { ConfigError, type PostmillConfig, parseConfig } from './config.ts';

/**
 * Parses `env` for an app's `src/env.ts`. Guarantees: on an invalid environment it writes every
 * problem to stderr and exits with code 2 (never starts half-configured); other errors propagate.
 */
export function loadConfigOrExit(env: Readonly<Record<string, string | undefined>>): PostmillConfig {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n(see the Configuration table in README.md)\n`);
      process.exit(2);
    }
    throw err;
  }
}
