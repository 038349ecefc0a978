// The container process as the spec describes it, checked from inside: user and groups, the
// capability sets, no_new_privs, rlimits, oom_score_adj, umask, scheduler, I/O priority,
// personality, HOME. Runs against caisson, and against runc (features runc 1.1 lacks are marked).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../spec/types.js';
import { execCollect, IS_CAISSON, RUNTIME, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('process');
});
afterEach(async () => {
  await sb.cleanup();
});

async function inside(script: string, edit?: (s: Spec) => void, text?: (json: string) => string): Promise<string> {
  const r = await sb.run(sb.bundle(['sh', '-c', script], edit, { text }));
  expect(r.code, `container failed: ${r.stderr}\n${r.stdout}`).toBe(0);
  return r.stdout;
}

/** Lines "Key:\tvalue" of /proc/self/status as a map. */
function status(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

const capMask = (...nums: number[]) => nums.reduce((m, n) => m | (1n << BigInt(n)), 0n).toString(16).padStart(16, '0');

describe('user', () => {
  it('applies uid, gid and additional gids', async () => {
    const st = status(
      await inside('cat /proc/self/status', (s) => {
        s.process!.user = { uid: 1000, gid: 1001, additionalGids: [10, 20, 30] };
      }),
    );
    expect(st.Uid!.split(/\s+/)).toEqual(['1000', '1000', '1000', '1000']);
    expect(st.Gid!.split(/\s+/)).toEqual(['1001', '1001', '1001', '1001']);
    expect(st.Groups!.split(/\s+/)).toEqual(['10', '20', '30']);
  });

  it('clears the supplementary groups when none are given', async () => {
    expect(status(await inside('cat /proc/self/status')).Groups).toBe('');
  });

  it('sets the umask', async () => {
    expect((await inside('umask', (s) => (s.process!.user = { uid: 0, gid: 0, umask: 0o027 }))).trim()).toBe('0027');
  });

  it('without user.umask the program gets 0022, whatever umask the runtime was started with', async () => {
    // runc's init sets 0022 itself; the runtime here is started under 0077 (through sh, as
    // Node cannot give a child a umask of its own).
    const bundle = sb.bundle(['sh', '-c', 'umask']);
    const r = await execCollect('sh', ['-c', 'umask 077; exec "$@"', 'sh', RUNTIME, '--root', sb.root, 'run', '--bundle', bundle, sb.id()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('0022');
  });

  it('sets HOME from the container /etc/passwd when env has none', async () => {
    const env = (s: Spec) => (s.process!.env = ['PATH=/bin:/usr/bin']);
    expect((await inside('echo $HOME', env)).trim()).toBe('/root');
    expect((await inside('echo $HOME', (s) => (env(s), (s.process!.user = { uid: 65534, gid: 65534 })))).trim()).toBe('/nonexistent');
    expect((await inside('echo $HOME', (s) => (env(s), (s.process!.user = { uid: 4321, gid: 4321 })))).trim()).toBe('/');
    // ...and leaves an explicit HOME alone.
    expect((await inside('echo $HOME', (s) => (s.process!.env = ['PATH=/bin', 'HOME=/custom']))).trim()).toBe('/custom');
  });
});

describe('capabilities', () => {
  it('sets exactly the configured sets, with no inheritable caps by default', async () => {
    const st = status(await inside('cat /proc/self/status'));
    // CAP_KILL 5, CAP_NET_BIND_SERVICE 10, CAP_AUDIT_WRITE 29
    const want = capMask(5, 10, 29);
    expect(st.CapBnd).toBe(want);
    expect(st.CapPrm).toBe(want);
    expect(st.CapEff).toBe(want);
    expect(st.CapInh).toBe('0000000000000000');
    expect(st.CapAmb).toBe('0000000000000000');
  });

  it('gives a non-root user its ambient capabilities', async () => {
    const st = status(
      await inside('cat /proc/self/status', (s) => {
        s.process!.user = { uid: 1000, gid: 1000 };
        s.process!.capabilities = {
          bounding: ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'],
          permitted: ['CAP_NET_BIND_SERVICE', 'CAP_CHOWN'],
          inheritable: ['CAP_NET_BIND_SERVICE'],
          effective: ['CAP_NET_BIND_SERVICE'],
          ambient: ['CAP_NET_BIND_SERVICE'],
        };
      }),
    );
    expect(st.CapAmb).toBe(capMask(10));
    expect(st.CapInh).toBe(capMask(10));
    expect(st.CapEff).toBe(capMask(10));
    expect(st.CapBnd).toBe(capMask(0, 10));
  });

  it('with no capabilities section the process has none', async () => {
    const st = status(await inside('cat /proc/self/status', (s) => delete s.process!.capabilities));
    for (const k of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(st[k], k).toBe('0000000000000000');
  });

  it('sets no_new_privs only when asked', async () => {
    expect(status(await inside('cat /proc/self/status')).NoNewPrivs).toBe('1');
    expect(status(await inside('cat /proc/self/status', (s) => (s.process!.noNewPrivileges = false))).NoNewPrivs).toBe('0');
  });
});

describe('limits and scheduling', () => {
  it('sets every rlimit given, soft and hard', async () => {
    const limits = await inside('cat /proc/self/limits', (s) => {
      s.process!.rlimits = [
        { type: 'RLIMIT_NOFILE', soft: 512, hard: 2048 },
        { type: 'RLIMIT_NPROC', soft: 300, hard: 400 },
        { type: 'RLIMIT_CORE', soft: 0, hard: 1234567 }, // replaced by RLIM_INFINITY below
        { type: 'RLIMIT_STACK', soft: 8 << 20, hard: 16 << 20 },
        { type: 'RLIMIT_MSGQUEUE', soft: 1000, hard: 2000 },
      ];
      // JSON.stringify cannot write 2^64 - 1 exactly (and Go refuses the rounded value).
    }, (json) => json.replace('1234567', '18446744073709551615'));
    const row = (name: string) => limits.split('\n').find((l) => l.startsWith(name))!.split(/\s{2,}/);
    expect(row('Max open files').slice(1, 3)).toEqual(['512', '2048']);
    expect(row('Max processes').slice(1, 3)).toEqual(['300', '400']);
    expect(row('Max core file size').slice(1, 3)).toEqual(['0', 'unlimited']);
    expect(row('Max stack size').slice(1, 3)).toEqual([String(8 << 20), String(16 << 20)]);
    expect(row('Max msgqueue size').slice(1, 3)).toEqual(['1000', '2000']);
  });

  it('writes oomScoreAdj', async () => {
    // Lowering it needs CAP_SYS_RESOURCE, which root on this machine does not have: only raise.
    expect((await inside('cat /proc/self/oom_score_adj', (s) => (s.process!.oomScoreAdj = 500))).trim()).toBe('500');
  });

  it.skipIf(!IS_CAISSON)('sets the scheduler policy, nice and priority (runc 1.1 has no process.scheduler)', async () => {
    // /proc/self/stat: field 19 is nice, 40 rt_priority, 41 policy.
    const fields = (text: string) => text.slice(text.lastIndexOf(')') + 2).split(' ');
    const batch = fields(await inside('cat /proc/self/stat', (s) => (s.process!.scheduler = { policy: 'SCHED_BATCH', nice: 7 })));
    expect([batch[16], batch[38]]).toEqual(['7', '3']);
    // A realtime policy needs realtime budget in the container's cpu cgroup (none by default).
    const fifo = fields(
      await inside('cat /proc/self/stat', (s) => {
        s.process!.scheduler = { policy: 'SCHED_FIFO', priority: 12 };
        s.linux!.resources = { cpu: { realtimePeriod: 1000000, realtimeRuntime: 10000 } };
      }),
    );
    expect([fifo[37], fifo[38]]).toEqual(['12', '1']);
  });

  it.skipIf(!IS_CAISSON)('sets the I/O priority (runc 1.1 has no process.ioPriority)', async () => {
    const out = await inside('ionice -p $$', (s) => (s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 3 }));
    expect(out.trim()).toBe('best-effort: prio 3');
  });

  it.skipIf(!IS_CAISSON)('sets the personality (runc 1.1 ignores linux.personality)', async () => {
    expect((await inside('uname -m', (s) => (s.linux!.personality = { domain: 'LINUX32' }))).trim()).toMatch(/^i[3-6]86$/);
  });

  it.skipIf(!IS_CAISSON)('applies a memory policy, and a node that does not exist is a clear error (runc 1.1 has no memoryPolicy)', async () => {
    expect((await inside('echo ok', (s) => (s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }))).trim()).toBe('ok');
    const r = await sb.run(sb.bundle(['true'], (s) => (s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '63' })));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/set memory policy MPOL_BIND: set_mempolicy: EINVAL/);
  });
});

describe('LSM labels', () => {
  it('an AppArmor profile on a kernel without AppArmor is a clear error', async () => {
    const r = await sb.run(sb.bundle(['true'], (s) => (s.process!.apparmorProfile = 'docker-default')));
    // runc 1.1 quietly ignores a profile when AppArmor is off; caisson refuses, as runc 1.2 does.
    if (IS_CAISSON) {
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/AppArmor is not enabled/);
      expect(sb.stateLeft()).toEqual([]);
    }
  });

  it.skipIf(!IS_CAISSON)('an SELinux label on a kernel without SELinux is a clear error', async () => {
    const r = await sb.run(sb.bundle(['true'], (s) => (s.process!.selinuxLabel = 'system_u:system_r:container_t:s0')));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SELinux is not enabled/);
  });
});
