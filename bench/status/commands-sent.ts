import { tracingChannel } from 'node:diagnostics_channel';

/**
 * Runs `work` and counts the Redis commands every ioredis client of this thread sent meanwhile
 * (ioredis publishes each command on the `ioredis:command` tracing channel), a script's EVALSHA
 * counting as one. Subscribed only for `work`: tracing wraps every command, so timed calls run
 * without it.
 */
export async function commandsSentDuring(work: () => Promise<unknown>): Promise<number> {
  const channel = tracingChannel('ioredis:command');
  let sent = 0;
  const none = () => undefined;
  const subscribers = {
    start: () => {
      sent++;
    },
    end: none,
    asyncStart: none,
    asyncEnd: none,
    error: none,
  };
  channel.subscribe(subscribers);
  try {
    await work();
  } finally {
    channel.unsubscribe(subscribers);
  }
  return sent;
}
