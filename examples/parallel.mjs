// Many containers at once from one process: 50 of them, at most 8 running at a time.
//
//   sudo node examples/parallel.mjs [count] [limit]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Runtime, spec } from 'caisson';

const COUNT = Number(process.argv[2] ?? 50);
const LIMIT = Number(process.argv[3] ?? 8);

const collect = (stream) => new Promise((resolve) => {
  const chunks = [];
  stream.on('data', (d) => chunks.push(d));
  stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
});

/** Run `task(i)` for i in 0..n-1, at most `limit` at once; results in order. */
async function pool(n, limit, task) {
  const results = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return results;
}

const dir = mkdtempSync(join(tmpdir(), 'caisson-example-'));
try {
  const rootfs = buildBusyboxRootfs(dir);
  const runtime = new Runtime({ root: join(dir, 'state') });
  const started = Date.now();
  const outputs = await pool(COUNT, LIMIT, async (i) => {
    const config = spec.default({ args: ['sh', '-c', `echo container ${i} is pid $$`] });
    const c = await runtime.create(`parallel-${process.pid}-${i}`, { config, rootfs, stdio: ['ignore', 'pipe', 'inherit'] });
    const out = collect(c.stdout);
    await c.start();
    const { exitCode } = await c.wait();
    await c.delete();
    return { i, exitCode, out: (await out).trim() };
  });
  const ok = outputs.filter((o) => o.exitCode === 0 && o.out === `container ${o.i} is pid 1`).length;
  const ms = Date.now() - started;
  console.log(`${ok} of ${COUNT} containers ran correctly, ${LIMIT} at a time, in ${ms} ms (${Math.round((COUNT * 1000) / ms)} per second)`);
  process.exitCode = ok === COUNT ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
