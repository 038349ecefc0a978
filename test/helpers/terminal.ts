// Running a command with a terminal of its own, as an interactive user has one: script(1) gives
// it a pty and copies the pty's output (raw: \r\n as the terminal sent it) to our stdout.

import { spawn } from 'node:child_process';

/** Run `cmd` (a shell command line) under script(1); killed after `timeoutMs`. */
export function inTerminal(cmd: string, timeoutMs = 20_000): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ out, code });
    });
  });
}
