// `node bench/shim.mjs`: caisson's containerd shim against containerd's runc v2 shim driving
// runc, side by side in one run, on one private containerd (its own root, state and sockets;
// CRI off) and a busybox image made here from the host's busybox-static. Measures:
//   1. the median `ctr run --rm` latency of /bin/true (rounds interleaved between the two);
//   2. container starts per second with 8 `ctr run --rm` at once;
//   3. shim RSS per running container with 1, 10 and 50 containers (sum of the shims' VmRSS,
//      divided by the number of containers).
// No thresholds: it prints numbers for the notes.
//
//   node bench/shim.mjs [--rounds 20] [--burst 40] [--sizes 1,10,50]

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHIM = join(repo, 'bin/containerd-shim-caisson-v2');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ROUNDS = Number(arg('rounds', 20));
const BURST = Number(arg('burst', 40));
const SIZES = arg('sizes', '1,10,50').split(',').map(Number);

if (process.getuid() !== 0) {
  console.error('the benchmark runs containers: run it as root');
  process.exit(1);
}

const dir = `/tmp/caisson-bench-shim-${process.pid}`;
const ns = `caisson-bench-${process.pid}`;
const sock = join(dir, 'c.sock');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function run(cmd, args, opts = {}) {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => res({ code, out, err }));
  });
}
const ctr = (...args) => run('ctr', ['--address', sock, '--namespace', ns, ...args]);

/** An OCI image tar: busybox-static with its applets linked, as one layer. */
function buildImage() {
  const work = join(dir, 'image');
  const rootfs = join(work, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  execFileSync('chmod', ['755', join(rootfs, 'bin/busybox')]);
  for (const a of ['sh', 'true', 'sleep', 'echo']) symlinkSync('busybox', join(rootfs, 'bin', a));
  const layout = join(work, 'layout');
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
  const put = (file, mediaType) => {
    const data = readFileSync(file);
    const hex = createHash('sha256').update(data).digest('hex');
    writeFileSync(join(layout, 'blobs/sha256', hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length, hex };
  };
  const layerTar = join(work, 'layer.tar');
  execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', layerTar, '.']);
  const layer = put(layerTar, 'application/vnd.oci.image.layer.v1.tar');
  writeFileSync(join(work, 'config.json'), JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/bin'], Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
  const config = put(join(work, 'config.json'), 'application/vnd.oci.image.config.v1+json');
  writeFileSync(join(work, 'manifest.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { ...config, hex: undefined }, layers: [{ ...layer, hex: undefined }] }));
  const manifest = put(join(work, 'manifest.json'), 'application/vnd.oci.image.manifest.v1+json');
  const ref = 'docker.io/caisson-bench/busybox:latest';
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size, annotations: { 'io.containerd.image.name': ref } }] }));
  const tar = join(work, 'image.tar');
  execFileSync('tar', ['-C', layout, '-cf', tar, '.']);
  return { tar, ref };
}

function processesWith(...words) {
  const out = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (words.every((w) => cmd.some((a) => a.includes(w)))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}
const rssKiB = (pid) => {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const RUNTIMES = {
  'caisson shim': { flags: ['--runtime', SHIM], shimName: 'containerd-shim-caisson-v2' },
  'runc shim + runc': { flags: ['--runtime', 'io.containerd.runc.v2'], shimName: 'containerd-shim-runc-v2' },
};

let n = 0;
async function runOnce(rt, image) {
  const id = `b${++n}`;
  const t0 = process.hrtime.bigint();
  const r = await ctr('run', '--rm', ...rt.flags, image, id, '/bin/true');
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== 0) throw new Error(`ctr run ${id} failed: ${r.err}`);
  return ms;
}

async function removeAll() {
  const ids = (await ctr('containers', 'ls', '-q')).out.split('\n').filter(Boolean);
  await Promise.all(
    ids.map(async (id) => {
      await ctr('task', 'kill', '-s', 'KILL', id);
      for (let i = 0; i < 100 && (await ctr('task', 'delete', id)).code !== 0; i++) {
        if (!(await ctr('task', 'ls')).out.includes(id)) break;
        await sleep(50);
      }
      await ctr('containers', 'rm', id);
    }),
  );
}

async function main() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.toml'),
    ['version = 2', `root = "${dir}/root"`, `state = "${dir}/state"`, 'disabled_plugins = ["io.containerd.grpc.v1.cri"]', '[grpc]', `  address = "${sock}"`, '[ttrpc]', `  address = "${sock}.ttrpc"`, ''].join('\n'),
  );
  const containerd = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: 'ignore', env: { ...process.env, CAISSON_SHIM_ROOT: join(dir, 'caisson-root') } });
  try {
    for (let i = 0; (await ctr('version')).code !== 0; i++) {
      if (i > 100) throw new Error('containerd did not start');
      await sleep(100);
    }
    const img = buildImage();
    const imp = await ctr('images', 'import', img.tar);
    if (imp.code !== 0) throw new Error(`import: ${imp.err}`);
    const names = Object.keys(RUNTIMES);
    console.log(`containerd ${execFileSync('containerd', ['--version']).toString().split(' ')[2]}, runc ${execFileSync('runc', ['--version']).toString().split('\n')[0].split(' ')[2]}, node ${process.version}, ${ROUNDS} rounds`);

    // 1. latency, interleaved (one warm-up each)
    const lat = Object.fromEntries(names.map((k) => [k, []]));
    for (const k of names) await runOnce(RUNTIMES[k], img.ref);
    for (let i = 0; i < ROUNDS; i++) for (const k of names) lat[k].push(await runOnce(RUNTIMES[k], img.ref));
    console.log('\n`ctr run --rm IMAGE ID /bin/true`, median (p90) ms:');
    for (const k of names) console.log(`  ${k.padEnd(18)} ${median(lat[k]).toFixed(1).padStart(7)}  (${[...lat[k]].sort((a, b) => a - b)[Math.floor(lat[k].length * 0.9)].toFixed(1)})`);
    console.log(`  ratio caisson/runc: ${(median(lat[names[0]]) / median(lat[names[1]])).toFixed(2)}`);

    // 2. throughput: 8 at once
    console.log(`\nstarts per second, 8 concurrent \`ctr run --rm\`, ${BURST} runs:`);
    for (const k of names) {
      let left = BURST;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (left-- > 0) await runOnce(RUNTIMES[k], img.ref);
        }),
      );
      console.log(`  ${k.padEnd(18)} ${((BURST / (Date.now() - t0)) * 1000).toFixed(1).padStart(7)}/s`);
      await sleep(3000); // let lingering shims go before the memory part
    }

    // 3. memory
    console.log('\nshim RSS per running container (sum of shim VmRSS / containers), MiB:');
    const rows = {};
    for (const k of names) {
      rows[k] = [];
      let running = 0;
      for (const size of SIZES) {
        const ids = [];
        for (; running < size; running++) ids.push(`m${++n}`);
        // 4 at a time: fast enough, and not a burst that measures something else
        for (let i = 0; i < ids.length; i += 4) {
          await Promise.all(
            ids.slice(i, i + 4).map(async (id) => {
              const r = await ctr('run', '-d', ...RUNTIMES[k].flags, img.ref, id, 'sleep', '600');
              if (r.code !== 0) throw new Error(`ctr run -d ${id}: ${r.err}`);
            }),
          );
        }
        await sleep(1500);
        const shims = processesWith(RUNTIMES[k].shimName, ns);
        const total = shims.reduce((a, p) => a + rssKiB(p), 0);
        rows[k].push({ size, shims: shims.length, perContainer: total / 1024 / size });
      }
      await removeAll();
      await sleep(3000);
    }
    console.log(`  ${'containers'.padEnd(18)} ${SIZES.map((s) => String(s).padStart(16)).join('')}`);
    for (const k of names) console.log(`  ${k.padEnd(18)} ${rows[k].map((r) => `${r.perContainer.toFixed(2)} (${r.shims} shim${r.shims === 1 ? '' : 's'})`.padStart(16)).join('')}`);
    const last = SIZES.length - 1;
    console.log(`  ratio caisson/runc at ${SIZES[last]}: ${(rows[names[0]][last].perContainer / rows[names[1]][last].perContainer).toFixed(2)}`);
  } finally {
    await removeAll().catch(() => {});
    containerd.kill('SIGTERM');
    await new Promise((r) => containerd.once('exit', r));
    for (const rt of Object.values(RUNTIMES)) for (const p of processesWith(rt.shimName, ns)) process.kill(p, 'SIGKILL');
    try {
      execFileSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l`]);
    } catch {
      /* nothing mounted */
    }
    rmSync(dir, { recursive: true, force: true });
    removeNamespaceCgroups();
  }
}

/** The runc shim gives containers /<namespace>/<id> and runc leaves the parent: remove it (empty). */
function removeNamespaceCgroups() {
  for (const mount of readdirSync('/sys/fs/cgroup')) {
    const top = join('/sys/fs/cgroup', mount, ns);
    try {
      for (const e of readdirSync(top, { withFileTypes: true })) if (e.isDirectory()) rmdirSync(join(top, e.name));
      rmdirSync(top);
    } catch {
      /* not there, or not a hierarchy */
    }
  }
}

await main();
void statSync;
