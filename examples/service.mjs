// A long-running service: start it, look inside with exec, read its stats, stop it cleanly.
//
//   sudo node examples/service.mjs

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBusyboxRootfs, Runtime, spec } from 'caisson';

const collect = (stream) => new Promise((resolve) => {
  const chunks = [];
  stream.on('data', (d) => chunks.push(d));
  stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
});

const dir = mkdtempSync(join(tmpdir(), 'caisson-example-'));
try {
  const rootfs = buildBusyboxRootfs(dir);
  const runtime = new Runtime({ root: join(dir, 'state') });
  // The service counts in /run/count; SIGTERM ends it (pid 1 has no default handlers).
  const config = spec.default(
    { args: ['sh', '-c', 'trap "echo stopping; exit 0" TERM; i=0; while :; do i=$((i+1)); echo $i > /run/count; sleep 0.1; done'] },
    spec.withMount({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m'] }),
    spec.withResources({ memory: { limit: 32 << 20 }, pids: { limit: 32 } }),
  );
  const service = await runtime.create(`service-${process.pid}`, { config, rootfs, stdio: ['ignore', 'pipe', 'inherit'] });
  const log = collect(service.stdout);
  await service.start();
  await sleep(500);

  // Look inside, twice: the counter moves.
  for (let i = 0; i < 2; i++) {
    const p = await service.exec({ args: ['cat', '/run/count'], cwd: '/', env: ['PATH=/bin'] });
    p.stdin.end();
    const [out, status] = await Promise.all([collect(p.stdout), p.wait()]);
    console.log(`count: ${out.trim()} (exec exit ${status.exitCode})`);
    await sleep(300);
  }

  const stats = service.stats();
  console.log(`memory: ${stats.memory?.usage?.usage ?? 0} bytes used, limit ${stats.memory?.usage?.limit}`);
  console.log(`pids: ${stats.pids?.current} of ${stats.pids?.limit}`);

  await service.kill('SIGTERM');
  const { exitCode } = await service.wait();
  console.log(`service said: ${(await log).trim()}`);
  console.log(`service exit code ${exitCode}`);
  await service.delete();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
