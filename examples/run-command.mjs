// Run a one-off command in a container and capture its output.
//
//   sudo node examples/run-command.mjs
//
// The root filesystem is busybox, built from the host's busybox-static; the config is the
// default one with the command and a hostname set through the spec builder.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Runtime, spec } from 'caisson';

/** Everything a stream says until it ends. */
const collect = (stream) => new Promise((resolve) => {
  const chunks = [];
  stream.on('data', (d) => chunks.push(d));
  stream.on('end', () => resolve(Buffer.concat(chunks).toString()));
});

const dir = mkdtempSync(join(tmpdir(), 'caisson-example-'));
try {
  const rootfs = buildBusyboxRootfs(dir);
  const runtime = new Runtime({ root: join(dir, 'state') });
  const config = spec.default(
    { args: ['sh', '-c', 'echo "hello from $(hostname), pid $$"; ls /'] },
    spec.withHostname('one-off'),
  );
  const container = await runtime.create(`run-command-${process.pid}`, { config, rootfs, stdio: 'pipe' });
  container.stdin.end();
  const output = collect(container.stdout);
  await container.start();
  const { exitCode } = await container.wait();
  await container.delete();
  process.stdout.write(await output);
  console.log(`exit code ${exitCode}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
