import { ConfigError, type PostmillConfig, parseConfig } from '@postmill/config';

/** This app's configuration, parsed once from the environment; exits with every problem listed when invalid. */
export function loadConfig(): PostmillConfig {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n(see the Configuration table in README.md)\n`);
      process.exit(2);
    }
    throw err;
  }
}
