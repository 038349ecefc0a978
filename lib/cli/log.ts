// runc-shaped logging: logrus text lines on stderr, or JSON lines in the --log file.
//
// JSON lines are what containerd parses (it keeps the last "level":"error" entry and needs an
// RFC 3339 `time`); podman reads the whole file as one object, so a failing command writes
// exactly one error line unless --debug is on. Keys are sorted as logrus sorts them.
// All output goes through fs.writeSync: touching process.stdout/stderr would make libuv switch
// the shared file description to non-blocking mode, under the container's feet.

import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';

export type Level = 'debug' | 'info' | 'warning' | 'error';

function rfc3339(d = new Date()): string {
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  return `${local}${off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`}`;
}

// logrus leaves a value bare when it only holds these characters (or is empty), and otherwise
// quotes it with Go's %q: \a \b \f \n \r \t \v, \xNN for other control bytes.
function textValue(s: string): string {
  if (/^[A-Za-z0-9\-._/@^+]*$/.test(s)) return s;
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export class Logger {
  private fd = 2;
  private ownsFd = false;
  readonly json: boolean;
  readonly debugOn: boolean;
  /** true when logs go to a file, so errors must also be printed on stderr */
  readonly toFile: boolean;

  constructor(opts: { file?: string; format?: string; debug?: boolean }) {
    const format = opts.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`invalid log-format: ${format}`);
    this.json = format === 'json';
    this.debugOn = !!opts.debug;
    this.toFile = !!opts.file;
    if (opts.file) {
      this.fd = openSync(opts.file, 'a', 0o644);
      this.ownsFd = true;
    }
  }

  log(level: Level, msg: string): void {
    if (level === 'debug' && !this.debugOn) return;
    const time = rfc3339();
    const line = this.json
      ? `${JSON.stringify({ level, msg, time })}\n`
      : `time="${time}" level=${level} msg=${textValue(msg)}\n`;
    try {
      writeSync(this.fd, line);
    } catch {
      /* a broken log must not hide the real error */
    }
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  warn(msg: string): void {
    this.log('warning', msg);
  }

  /** A fatal error: one error entry in the log, plus plain text on stderr when logging to a file. */
  fatal(msg: string): void {
    this.log('error', msg);
    if (this.toFile) {
      try {
        writeSync(2, `${msg}\n`);
      } catch {
        /* nothing left to tell */
      }
    }
  }

  close(): void {
    if (this.ownsFd) closeSync(this.fd);
  }
}

export function out(text: string): void {
  writeSync(1, text);
}
