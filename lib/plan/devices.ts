// /dev: the default devices the spec requires, linux.devices, and the standard symlinks.
//
// Outside a user namespace nodes are made with mknod. Inside one mknod is refused, so the host's
// node at the same path is bind-mounted onto an empty file instead (spec: "mknod, bind mount,
// symlinks, etc.").

import type { LinuxDevice, Spec } from '../../spec/types.js';
import type { PlanContext } from './context.js';
import type { PlanOp } from './encode.js';
import { cleanDestination } from './mounts.js';
import { Op } from './opcodes.js';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** The devices every container gets (spec "Default Devices"), with their host numbers. */
export const DEFAULT_DEVICES: LinuxDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

function modeOf(d: LinuxDevice): number {
  const perm = (d.fileMode ?? 0o666) & 0o7777;
  const fmt = d.type === 'b' ? S_IFBLK : d.type === 'p' ? S_IFIFO : S_IFCHR; // 'u' is an unbuffered char device
  return fmt | perm;
}

export function deviceOps(spec: Spec, ctx: PlanContext, inUserNs: boolean): PlanOp[] {
  const ops: PlanOp[] = [];
  // Configured devices replace defaults at the same path.
  const configured = spec.linux?.devices ?? [];
  const byPath = new Map<string, LinuxDevice>();
  for (const d of [...DEFAULT_DEVICES, ...configured]) byPath.set(cleanDestination(d.path), d);
  for (const [path, d] of byPath) {
    if (inUserNs && d.type !== 'p') {
      ops.push({ code: Op.BIND_DEV, label: `bind device ${path} from the host`, fields: [path, path] });
    } else {
      ops.push({
        code: Op.MKNOD,
        label: `create device ${path}`,
        fields: [path, modeOf(d), d.major ?? 0, d.minor ?? 0, d.uid ?? 0, d.gid ?? 0],
      });
    }
  }
  // /dev/ptmx is the container's own devpts ptmx (spec), then the /dev links (runtime-linux.md).
  const links: [string, string][] = [
    ['pts/ptmx', '/dev/ptmx'],
    ['/proc/self/fd', '/dev/fd'],
    ['/proc/self/fd/0', '/dev/stdin'],
    ['/proc/self/fd/1', '/dev/stdout'],
    ['/proc/self/fd/2', '/dev/stderr'],
  ];
  if (ctx.hostHasKcore) links.push(['/proc/kcore', '/dev/core']);
  for (const [target, link] of links) {
    ops.push({ code: Op.SYMLINK, label: `symlink ${link} -> ${target}`, fields: [target, link] });
  }
  return ops;
}
