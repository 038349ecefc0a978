// process.terminal with --console-socket: the pty master arrives at the caller's socket the way
// containerd and conmon receive it (test/helpers/console_receiver.py, no caisson code), typing
// into it reaches the container process, and resizing works.

import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.js';
import { Sandbox } from '../helpers/sandbox.js';
import { inTerminal } from '../helpers/terminal.js';

let sb: Sandbox;
let receiver: ChildProcessWithoutNullStreams | undefined;
beforeEach(() => {
  sb = new Sandbox('console');
});
afterEach(async () => {
  receiver?.kill('SIGKILL');
  receiver = undefined;
  await sb.cleanup();
});

class Receiver {
  out = '';
  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
  }
  async waitFor(text: string | RegExp, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const hit = () => (typeof text === 'string' ? this.out.includes(text) : text.test(this.out));
    while (!hit()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${text}; got: ${JSON.stringify(this.out)}`);
      await sleep(20);
    }
  }
  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }
}

async function startReceiver(path: string): Promise<Receiver> {
  receiver = spawn('python3', [join(REPO, 'test/helpers/console_receiver.py'), path], { stdio: ['pipe', 'pipe', 'pipe'] });
  const r = new Receiver(receiver);
  await r.waitFor('listening');
  return r;
}

describe('console socket', () => {
  it('sends the pty master; input reaches the process; consoleSize and resizes apply', async () => {
    const sock = join(sb.dir, 'console.sock');
    const recv = await startReceiver(sock);
    const bundle = sb.bundle(['sh', '-c', 'stty size; tty; read a; echo "got:$a"; read b; stty size; ls -l /dev/console'], (s) => {
      s.process!.terminal = true;
      s.process!.consoleSize = { height: 40, width: 120 };
    });
    const id = sb.id();
    const created = await sb.rt(['create', '--console-socket', sock, '--bundle', bundle, id]);
    expect(created.code, created.stderr).toBe(0);
    await recv.waitFor('received');
    expect((await sb.rt(['start', id])).code).toBe(0);
    await recv.waitFor(/40 120\r?\n/);
    await recv.waitFor(/\/dev\/pts\/\d+/);
    recv.send('hello');
    await recv.waitFor('got:hello');
    recv.send('!resize 33 77');
    recv.send('again');
    await recv.waitFor(/33 77\r?\n/);
    // /dev/console is the pty (a devpts char device), not a file of the rootfs.
    await recv.waitFor(/c[rw-]{9}.* 13[6-9],\s+\d+ .*\/dev\/console/);
  });

  it('a terminal without a console socket is refused by create and leaves nothing', async () => {
    const bundle = sb.bundle(['true'], (s) => (s.process!.terminal = true));
    const r = await sb.rt(['create', '--bundle', bundle, sb.id()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/console socket/);
    expect(sb.stateLeft()).toEqual([]);
  });

  it('a console socket without a terminal is refused', async () => {
    const r = await sb.rt(['create', '--console-socket', join(sb.dir, 'none.sock'), '--bundle', sb.bundle(['true']), sb.id()]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/console socket/);
  });

  it('run in the foreground relays the terminal itself', async () => {
    const bundle = sb.bundle(['sh', '-c', 'tty; echo done'], (s) => (s.process!.terminal = true));
    const { RUNTIME } = await import('../helpers/sandbox.js');
    // script(1) gives the runtime a terminal of its own, as an interactive user has.
    const { out, code } = await inTerminal(`${RUNTIME} --root ${sb.root} run --bundle ${bundle} ${sb.id()}`);
    expect(out).toMatch(/\/dev\/pts\/\d+/);
    expect(out).toContain('done');
    // Our terminal is raw while relaying: the pty's \r\n arrives as it is, not as \r\r\n.
    expect(out).toContain('done\r\n');
    expect(out).not.toContain('\r\r\n');
    expect(code).toBe(0);
  });
});
