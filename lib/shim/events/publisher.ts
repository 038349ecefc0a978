// Events to containerd, in order, from one queue: over ttrpc (Events.Forward on TTRPC_ADDRESS,
// what every current shim does), or, without a ttrpc address, through `containerd publish`
// (the publish binary, the older way). A failed forward is retried with back-off and a fresh
// connection (containerd may be restarting); an event that still fails after the retries is
// dropped with a log line, as the runc shim does, so one lost event never blocks the rest.

import { spawn } from 'node:child_process';
import { TtrpcClient } from '../ttrpc/client.js';
import { ForwardRequest, TOPICS } from '../proto/events.js';
import { Any, timestampOf } from '../proto/well-known.js';
import { socketFromAddress } from '../address.js';

const EVENTS_SERVICE = 'containerd.services.events.ttrpc.v1.Events';
const ATTEMPTS = 5;
const CALL_TIMEOUT_MS = 5000;

export interface PublisherOptions {
  namespace: string;
  ttrpcAddress: string;
  grpcAddress: string;
  publishBinary: string;
  log: { warn(msg: string): void; debug(msg: string): void };
}

export class EventPublisher {
  private queue: Promise<void> = Promise.resolve();
  private client?: TtrpcClient;
  private pending = 0;
  /** every event published, for tests and debugging: [topic, type URL] */
  readonly sent: [string, string][] = [];

  constructor(private readonly opts: PublisherOptions) {}

  /** Queue an event; resolves once it was delivered (or given up on). Order is kept. */
  publish(event: Any): Promise<void> {
    const topic = TOPICS[event.typeUrl as keyof typeof TOPICS];
    if (!topic) throw new Error(`no topic for event ${event.typeUrl}`);
    const envelope = { timestamp: timestampOf(Date.now()), namespace: this.opts.namespace, topic, event };
    this.pending++;
    const done = this.queue.then(() => this.deliver(topic, envelope));
    this.queue = done.finally(() => this.pending--);
    return done;
  }

  /** Wait until everything queued so far was sent (bounded by the retries). */
  async flush(): Promise<void> {
    await this.queue;
  }

  get queued(): number {
    return this.pending;
  }

  private async deliver(topic: string, envelope: Parameters<typeof ForwardRequest.encode>[0]['envelope'] & object): Promise<void> {
    const payload = ForwardRequest.encode({ envelope });
    for (let attempt = 1; ; attempt++) {
      try {
        if (this.opts.ttrpcAddress) await this.forward(payload);
        else await this.publishBinary(topic, envelope.event as Any);
        this.sent.push([topic, (envelope.event as Any).typeUrl]);
        this.opts.log.debug(`published ${topic}`);
        return;
      } catch (err) {
        this.client?.close();
        this.client = undefined;
        if (attempt >= ATTEMPTS) {
          this.opts.log.warn(`dropping event ${topic} after ${attempt} attempts: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  private async forward(payload: Buffer): Promise<void> {
    if (!this.client || this.client.closed) {
      this.client = await TtrpcClient.connect(socketFromAddress(this.opts.ttrpcAddress), CALL_TIMEOUT_MS);
      // An idle connection to containerd must not keep the shim alive on its own.
      this.client.unref();
    }
    await this.client.call(EVENTS_SERVICE, 'Forward', payload, { timeoutMs: CALL_TIMEOUT_MS, metadata: { 'containerd-namespace-ttrpc': this.opts.namespace } });
  }

  private publishBinary(topic: string, event: Any): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.publishBinary, ['--address', this.opts.grpcAddress, 'publish', '--topic', topic, '--namespace', this.opts.namespace], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${this.opts.publishBinary} publish exited ${code}: ${err.trim()}`))));
      child.stdin!.on('error', () => {});
      child.stdin!.end(Any.encode(event));
    });
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}
