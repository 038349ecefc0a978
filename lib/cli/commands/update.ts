// update: --resources FILE|- (a LinuxResources JSON document) or runc's per-field flags.

import { readFileSync } from 'node:fs';
import { parseJson } from '../../bundle.js';
import type { LinuxResources } from '../../../spec/types.js';
import { ramInBytes } from '../../units.js';
import type { CommandContext } from '../commands.js';
import { runtime } from './shared.js';

function fromFlags(f: CommandContext['flags']): LinuxResources {
  const r: LinuxResources = {};
  const int = (name: string) => (f[name] === undefined ? undefined : Number(f[name]));
  const mem = (name: string) => (f[name] === undefined ? undefined : ramInBytes(String(f[name]), name));
  const set = <K extends keyof LinuxResources>(group: K, key: string, v: number | string | undefined) => {
    if (v === undefined) return;
    r[group] = { ...(r[group] as object), [key]: v } as LinuxResources[K];
  };
  set('blockIO', 'weight', int('blkio-weight'));
  set('cpu', 'period', int('cpu-period'));
  set('cpu', 'quota', int('cpu-quota'));
  set('cpu', 'burst', int('cpu-burst'));
  set('cpu', 'shares', int('cpu-share'));
  set('cpu', 'realtimePeriod', int('cpu-rt-period'));
  set('cpu', 'realtimeRuntime', int('cpu-rt-runtime'));
  set('cpu', 'cpus', f['cpuset-cpus'] as string | undefined);
  set('cpu', 'mems', f['cpuset-mems'] as string | undefined);
  set('cpu', 'idle', int('cpu-idle'));
  set('memory', 'limit', mem('memory'));
  set('memory', 'reservation', mem('memory-reservation'));
  set('memory', 'swap', mem('memory-swap'));
  set('memory', 'kernel', mem('kernel-memory'));
  set('memory', 'kernelTCP', mem('kernel-memory-tcp'));
  set('pids', 'limit', int('pids-limit'));
  return r;
}

export async function run(ctx: CommandContext): Promise<number> {
  const file = ctx.flags.resources as string | undefined;
  // With --resources, the other flags are ignored (as runc does).
  const raw = file !== undefined ? parseJson(readFileSync(file === '-' ? 0 : file, 'utf8'), file === '-' ? 'standard input' : file) : fromFlags(ctx.flags);
  await runtime(ctx).load(ctx.args[0]!).update(raw as LinuxResources);
  return 0;
}
