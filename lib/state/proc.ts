// What /proc says about a process: alive or not, and when it started. The start time (field 22
// of /proc/PID/stat, clock ticks since boot) tells a recycled pid from the process we started.

import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

export function readProcStat(pid: number): ProcStat | undefined {
  const path = `/proc/${pid}/stat`;
  // A process that is gone is the common answer (delete asks after every exit): existsSync says
  // so without the thrown Error, and its stack trace, that a failed readFileSync costs. It may
  // still die in between; the catch covers that.
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: the rest starts after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '', ppid: Number(rest[1]), startTime: rest[19] ?? '' };
}

/** Alive: exists, is not a zombie or dead, and is the same process (start time matches). */
export function isAlive(pid: number, startTime: string): boolean {
  if (!pid) return false;
  const st = readProcStat(pid);
  return !!st && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X' && st.state !== 'x';
}

/** The inode of /proc/PID/ns/<name> ("pid:[4026531836]"), or undefined if gone. */
export function nsId(pid: number, name: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${name}`);
  } catch {
    return undefined;
  }
}

/** Every pid whose namespace of kind `name` is `id` (e.g. all processes of a pid namespace). */
export function pidsInNamespace(name: string, id: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (nsId(Number(entry), name) === id) out.push(Number(entry));
  }
  return out;
}
