// A small OCI image made here, with no network: the host's busybox-static as a single layer, in
// an OCI image layout tar that `ctr images import` and `podman load` both take.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBusyboxRootfs } from '../../lib/example-bundle.js';

export interface OciImage {
  /** the OCI layout tar */
  tar: string;
  /** the name it imports as */
  ref: string;
}

/** The name containerd and podman give it once imported. */
export const IMAGE_REF = 'docker.io/caisson-test/busybox:latest';

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Put `file` into blobs/sha256 under its digest and describe it. */
function blob(layout: string, file: string, mediaType: string): { mediaType: string; digest: string; size: number } {
  const hex = sha256(file);
  const dest = join(layout, 'blobs/sha256', hex);
  execFileSync('mv', [file, dest]);
  return { mediaType, digest: `sha256:${hex}`, size: statSync(dest).size };
}

function json(layout: string, name: string, value: unknown, mediaType: string) {
  const file = join(layout, name);
  writeFileSync(file, JSON.stringify(value));
  return blob(layout, file, mediaType);
}

/** Build the image under `dir` once (idempotent within a run). */
export function buildBusyboxImage(dir: string): OciImage {
  const tar = join(dir, 'busybox-oci.tar');
  if (existsSync(tar)) return { tar, ref: IMAGE_REF };
  const work = join(dir, 'image-work');
  rmSync(work, { recursive: true, force: true });
  const layout = join(work, 'layout');
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
  const rootfs = buildBusyboxRootfs(work);
  // A reproducible layer: sorted, owned by root, one fixed time.
  const layerTar = join(work, 'layer.tar');
  execFileSync('tar', ['-C', rootfs, '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '-cf', layerTar, '.']);
  const diffId = `sha256:${sha256(layerTar)}`;
  const layer = blob(layout, layerTar, 'application/vnd.oci.image.layer.v1.tar');
  const config = json(
    layout,
    'config.json',
    {
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'caisson test: busybox-static' }],
    },
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = json(
    layout,
    'manifest.json',
    { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] },
    'application/vnd.oci.image.manifest.v1+json',
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifest, annotations: { 'io.containerd.image.name': IMAGE_REF, 'org.opencontainers.image.ref.name': IMAGE_REF } }],
    }),
  );
  execFileSync('tar', ['-C', layout, '--sort=name', '--numeric-owner', '--owner=0', '--group=0', '-cf', `${tar}.tmp`, '.']);
  execFileSync('mv', [`${tar}.tmp`, tar]);
  rmSync(work, { recursive: true, force: true });
  return { tar, ref: IMAGE_REF };
}
