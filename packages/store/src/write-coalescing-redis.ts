import { Redis } from 'ioredis';

type SendCommandArgs = Parameters<Redis['sendCommand']>;

/**
 * A single-node connection that writes every command issued during one turn of the event loop
 * to its socket in ONE write. Guarantees: commands go out in the order they were issued, no later
 * than the `setImmediate` of the turn that issued them (the socket is corked at the first command
 * of a turn and uncorked then); nothing else about ioredis changes (replies, offline queue,
 * reconnects, pipelines).
 *
 * Why: on loopback every `write` is a system call that also runs Redis's side of TCP; with ioredis
 * writing each command by itself, those calls were about a fifth of the API's CPU under load, and
 * Redis paid a read and a reply write for each. An HTTP server handles many requests per turn,
 * so their commands now share one write, and Redis reads them and answers them together.
 * ioredis's own `enableAutoPipelining` batches too, but allows one batch in flight per
 * connection, so every batch waits for the previous one's replies (slower in the load bench).
 */
export class WriteCoalescingRedis extends Redis {
  /** The socket corked in this turn, if any (a reconnect brings a new socket). */
  private corkedSocket: Redis['stream'] | undefined;

  override sendCommand(...args: SendCommandArgs): unknown {
    const socket = this.stream;
    if (socket !== undefined && socket !== this.corkedSocket && socket.writable) {
      this.corkedSocket = socket;
      socket.cork();
      setImmediate(() => {
        if (this.corkedSocket === socket) this.corkedSocket = undefined;
        socket.uncork();
      });
    }
    return super.sendCommand(...args);
  }
}
