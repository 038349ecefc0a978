// A container process's stdio as the shim wires it: pipes between the process and the client's
// FIFOs (or a file, or a logging binary), or, with a terminal, the pty master copied to and from
// the FIFOs. The process gets its ends at create/exec; the shim keeps and copies the others.
// A client that goes away never blocks the container: once a FIFO write fails, the output is
// read and dropped.

import { closeSync, constants, createWriteStream, mkdirSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import * as native from '../../native.js';
import type { Pty } from '../../api/stdio.js';
import { parseStdio } from './uri.js';
import type { StdioTarget } from './uri.js';
import { openFifoWriter, openStdinFifo } from './fifo.js';
import { startBinaryLogger } from './binary-logger.js';
import type { BinaryLogger } from './binary-logger.js';

export interface StdioPaths {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

interface Log {
  warn(msg: string): void;
  debug(msg: string): void;
}

function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    /* already closed */
  }
}

export class ProcessIO {
  /** the process's stdin, stdout, stderr (non-terminal) */
  readonly childStdio?: [number, number, number];
  private childEnds: number[] = [];
  private readonly copies: Promise<void>[] = [];
  private stdinHolder?: number;
  private stdinReader?: Socket;
  private stdinPipe?: Socket;
  private terminal?: Pty;
  private logger?: BinaryLogger;
  private readonly closers: (() => void)[] = [];

  private constructor(
    readonly paths: StdioPaths,
    private readonly log: Log,
    stdio?: [number, number, number],
  ) {
    this.childStdio = stdio;
  }

  /** Make the pipes (or, with a terminal, nothing yet: the master comes from create/exec). */
  static async prepare(paths: StdioPaths, who: { id: string; namespace: string }, log: Log): Promise<ProcessIO> {
    const stdout = parseStdio(paths.stdout);
    const stderr = parseStdio(paths.stderr);
    if (paths.terminal) {
      const io = new ProcessIO(paths, log);
      return io;
    }
    const devNull = () => openSync('/dev/null', constants.O_RDWR);
    const owned: number[] = [];
    try {
      let logger: BinaryLogger | undefined;
      if (stdout.kind === 'binary') logger = await startBinaryLogger(stdout.path, stdout.args, who.id, who.namespace);
      const stdinFd = paths.stdin ? native.pipe() : undefined;
      const outFd = logger ? undefined : stdout.kind !== 'none' ? native.pipe() : undefined;
      const errFd = logger ? undefined : stderr.kind !== 'none' ? native.pipe() : undefined;
      const nul = !stdinFd || (!logger && (!outFd || !errFd)) ? devNull() : undefined;
      for (const p of [stdinFd, outFd, errFd]) if (p) owned.push(...p);
      if (nul !== undefined) owned.push(nul);
      const stdio: [number, number, number] = [stdinFd?.[0] ?? nul!, logger?.stdout ?? outFd?.[1] ?? nul!, logger?.stderr ?? errFd?.[1] ?? nul!];
      const io = new ProcessIO(paths, log, stdio);
      io.logger = logger;
      io.childEnds = [stdinFd?.[0], outFd?.[1], errFd?.[1], nul].filter((x): x is number => x !== undefined);
      if (logger) io.closers.push(() => logger.closeContainerEnds());
      if (stdinFd) io.wireStdin(stdinFd[1]);
      // stdout and stderr to one file, or one FIFO, share a writer closed after both ended.
      const shared = new Map<string, Promise<Writable>>();
      const sinks: [StdioTarget, number | undefined][] = [
        [stdout, outFd?.[0]],
        [stderr, errFd?.[0]],
      ];
      const users = new Map<string, number>();
      for (const [t] of sinks) if (t.kind === 'fifo' || t.kind === 'file') users.set(`${t.kind}:${t.path}`, (users.get(`${t.kind}:${t.path}`) ?? 0) + 1);
      for (const [target, readFd] of sinks) {
        if (readFd === undefined || (target.kind !== 'fifo' && target.kind !== 'file')) continue;
        const key = `${target.kind}:${target.path}`;
        if (!shared.has(key)) shared.set(key, io.openSink(target));
        io.copies.push(io.copy(new Socket({ fd: readFd, readable: true, writable: false }), shared.get(key)!, key, users));
      }
      return io;
    } catch (err) {
      for (const fd of owned) closeQuietly(fd);
      throw err;
    }
  }

  private openSink(target: StdioTarget): Promise<Writable> {
    if (target.kind === 'fifo') return openFifoWriter(target.path);
    if (target.kind === 'file') {
      mkdirSync(dirname(target.path), { recursive: true });
      return Promise.resolve(createWriteStream(target.path, { flags: 'a' }));
    }
    throw new Error(`no sink for ${target.kind}`);
  }

  /** Copy `from` into the sink; the sink ends when its last user has ended. */
  private copy(from: Socket, sink: Promise<Writable>, key: string, users: Map<string, number>): Promise<void> {
    return new Promise<void>((resolve) => {
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        resolve();
        const left = (users.get(key) ?? 1) - 1;
        users.set(key, left);
        if (left === 0) sink.then((s) => s.end(), () => {});
      };
      from.on('end', finish);
      from.on('close', finish);
      from.on('error', () => from.destroy());
      sink.then(
        (s) => {
          s.on('error', (err) => {
            // The reader went away: keep draining the container's pipe, drop the bytes.
            this.log.debug(`stdio ${key}: ${err.message}`);
            from.unpipe(s);
            from.resume();
          });
          from.pipe(s, { end: false });
        },
        (err: Error) => {
          this.log.warn(`cannot open ${key}: ${err.message}; its output is dropped`);
          from.resume();
        },
      );
    });
  }

  private wireStdin(pipeWrite: number): void {
    const target = parseStdio(this.paths.stdin);
    const pipe = new Socket({ fd: pipeWrite, readable: false, writable: true });
    pipe.on('error', () => {});
    this.stdinPipe = pipe;
    if (target.kind !== 'fifo') {
      pipe.end();
      return;
    }
    const { reader, holder } = openStdinFifo(target.path);
    this.stdinHolder = holder;
    this.stdinReader = reader;
    reader.on('error', () => pipe.end());
    reader.on('end', () => pipe.end());
    reader.pipe(pipe);
  }

  /** With a terminal: the process's pty (from the library's create or exec), copied to and from the FIFOs. */
  attachConsole(terminal: Pty): void {
    this.terminal = terminal;
    const pty = terminal.stream;
    const out = parseStdio(this.paths.stdout);
    if (out.kind === 'fifo' || out.kind === 'file') {
      const users = new Map([[`out`, 1]]);
      this.copies.push(this.copy(pty as unknown as Socket, this.openSink(out), 'out', users));
    } else {
      pty.resume();
    }
    const inp = parseStdio(this.paths.stdin);
    if (inp.kind === 'fifo') {
      const { reader, holder } = openStdinFifo(inp.path);
      this.stdinHolder = holder;
      this.stdinReader = reader;
      reader.on('error', () => {});
      reader.pipe(pty as unknown as Writable, { end: false });
    }
  }

  /** The process has its own copies of its ends: the shim's go, so EOF can happen. */
  afterStart(): void {
    for (const fd of this.childEnds.splice(0)) closeQuietly(fd);
    for (const c of this.closers.splice(0)) c();
  }

  /** CloseIO: drop our hold on the stdin FIFO, so the process sees EOF once the client's is gone. */
  closeStdin(): void {
    closeQuietly(this.stdinHolder);
    this.stdinHolder = undefined;
    if (this.terminal) {
      this.stdinReader?.unpipe();
      this.stdinReader?.destroy();
    }
  }

  resize(width: number, height: number): void {
    if (!this.terminal) throw new Error('the process has no terminal');
    this.terminal.resize(height, width);
  }

  /** Resolves when all output was copied (the process and its children closed their ends), or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.copies), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Tear everything down (after the process is gone). */
  close(): void {
    this.afterStart();
    closeQuietly(this.stdinHolder);
    this.stdinHolder = undefined;
    this.stdinReader?.destroy();
    this.stdinPipe?.destroy();
    this.terminal?.close();
    this.terminal = undefined;
    this.logger?.child.unref();
  }
}
