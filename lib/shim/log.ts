// The shim's log. containerd creates a FIFO named `log` in every bundle and copies whatever the
// shim writes there to its own log; the server's stdout and stderr are /dev/null (containerd
// reads `start`'s output to its end, so the server must not hold it). Each container's bundle
// has its own log FIFO: messages about a container go to its FIFO, general ones to all open
// ones. Writes never block: a FIFO nobody reads (containerd restarting) drops lines.

import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class ShimLog {
  private readonly sinks = new Map<string, number>();
  constructor(readonly debugEnabled: boolean) {}

  /** Open `<bundle>/log` for the container `id` (no-op if it is missing). */
  attach(id: string, bundle: string): void {
    if (this.sinks.has(id)) return;
    try {
      this.sinks.set(id, openSync(join(bundle, 'log'), constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      /* no reader, or no FIFO: containerd is not listening */
    }
  }

  detach(id: string): void {
    const fd = this.sinks.get(id);
    if (fd === undefined) return;
    this.sinks.delete(id);
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }

  private write(level: string, msg: string, id?: string): void {
    // logrus's text shape, which containerd passes through as is.
    const line = `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}${id ? ` id=${id}` : ''} runtime=io.containerd.caisson.v2\n`;
    const targets = id && this.sinks.has(id) ? [this.sinks.get(id)!] : [...this.sinks.values()];
    for (const fd of targets) {
      try {
        writeSync(fd, line);
      } catch {
        /* EAGAIN (nobody reads) or EPIPE: drop it */
      }
    }
  }

  info(msg: string, id?: string): void {
    this.write('info', msg, id);
  }
  warn(msg: string, id?: string): void {
    this.write('warning', msg, id);
  }
  error(msg: string, id?: string): void {
    this.write('error', msg, id);
  }
  debug(msg: string, id?: string): void {
    if (this.debugEnabled) this.write('debug', msg, id);
  }
}
