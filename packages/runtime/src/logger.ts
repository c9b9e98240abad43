import pino, { type Logger } from 'pino';

/** A pino logger: JSON lines by default, human-readable when `pretty` (pnpm start). */
export function createLogger(options: { level: string; pretty: boolean; name: string }): Logger {
  if (options.pretty) {
    return pino({ name: options.name, level: options.level, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } });
  }
  return pino({ name: options.name, level: options.level });
}
