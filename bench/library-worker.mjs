// The library's side of `npm run bench`: a process that only runs containers through caisson's
// library, the way an embedding program would; it never forks anything itself (see
// bench/launcher.c for why the CLIs are started elsewhere).
//
//   node bench/library-worker.mjs BUNDLE STATE_ROOT
//   in:  COUNT ID_PREFIX        run COUNT lifecycles at once (create, start, wait, delete)
//   out: MS MS ...              each one's wall time, timed in this process

import { createInterface } from 'node:readline';
import { Runtime } from '../dist/index.js';

const [bundle, root] = process.argv.slice(2);
const runtime = new Runtime({ root });

async function once(id) {
  const t0 = process.hrtime.bigint();
  const c = await runtime.create(id, { bundle, stdio: 'ignore' });
  await c.start();
  const { exitCode } = await c.wait();
  await c.delete();
  if (exitCode !== 0) throw new Error(`library run exited ${exitCode}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

for await (const line of createInterface({ input: process.stdin })) {
  const [count, prefix] = line.split(' ');
  try {
    const ms = await Promise.all(Array.from({ length: Number(count) }, (_, i) => once(`${prefix}-${i}`)));
    process.stdout.write(`${ms.map((m) => m.toFixed(3)).join(' ')}\n`);
  } catch (err) {
    process.stdout.write(`error: ${err.message.replace(/\n/g, ' ')}\n`);
  }
}
