// The command table. Each command's code lives in its own module under commands/ and is
// imported only when that command runs, so `caisson state` does not pay for `run`.

import type { FlagSpec, FlagValues } from './args.js';
import type { Logger } from './log.js';

export interface CommandContext {
  /** the subcommand's name */
  name: string;
  root: string;
  logger: Logger;
  flags: FlagValues;
  args: string[];
  global: FlagValues;
}

export interface CommandModule {
  run(ctx: CommandContext): Promise<number>;
}

export interface Command {
  name: string;
  usage: string;
  argsUsage: string;
  description?: string;
  /** "exact N", "min N", "max N" or "any" */
  args: string;
  flags: FlagSpec[];
  load: () => Promise<CommandModule>;
}

const help: FlagSpec = { name: 'help', aliases: ['h'], type: 'bool', usage: 'show help' };

const createFlags: FlagSpec[] = [
  { name: 'bundle', aliases: ['b'], type: 'string', value: 'DIR', usage: 'path to the root of the bundle directory', defaultText: 'current directory' },
  { name: 'console-socket', type: 'string', value: 'PATH', usage: 'path to an AF_UNIX socket which will receive the pty master fd' },
  { name: 'pidfd-socket', type: 'string', value: 'PATH', usage: 'path to an AF_UNIX socket which will receive a pidfd of the init (not supported yet)' },
  { name: 'pid-file', type: 'string', value: 'FILE', usage: 'file to write the process id to' },
  { name: 'no-pivot', type: 'bool', usage: 'do not use pivot_root to jail the process inside the rootfs (weaker: use only when the rootfs is on a ramdisk)' },
  { name: 'no-new-keyring', type: 'bool', usage: 'do not create a new session keyring for the container' },
  { name: 'preserve-fds', type: 'int', value: 'N', usage: 'pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N)', defaultText: '0' },
  help,
];

/** checkpoint/restore flags as runc has them (CRIU options). */
const CRIU_FLAGS: FlagSpec[] = [
  ...['image-path', 'work-path', 'parent-path', 'page-server', 'manage-cgroups-mode', 'status-fd'].map((name) => ({ name, type: 'string' as const, usage: '' })),
  ...['leave-running', 'tcp-established', 'tcp-skip-in-flight', 'link-remap', 'ext-unix-sk', 'shell-job', 'lazy-pages', 'file-locks', 'pre-dump', 'auto-dedup'].map(
    (name) => ({ name, type: 'bool' as const, usage: '' }),
  ),
  { name: 'empty-ns', type: 'list', usage: '' },
];

export const COMMANDS: Command[] = [
  {
    name: 'create',
    usage: 'create a container',
    argsUsage: '<container-id>',
    description: 'The init process is set up and waits; `start` runs the user program.',
    args: 'exact 1',
    flags: createFlags,
    load: () => import('./commands/create.js'),
  },
  {
    name: 'start',
    usage: 'executes the user defined process in a created container',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [help],
    load: () => import('./commands/start.js'),
  },
  {
    name: 'run',
    usage: 'create and run a container',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [
      ...createFlags.filter((f) => f.name !== 'help'),
      { name: 'detach', aliases: ['d'], type: 'bool', usage: 'detach from the container process' },
      { name: 'keep', type: 'bool', usage: 'do not delete the container after it exits' },
      { name: 'no-subreaper', type: 'bool', usage: 'accepted for compatibility; caisson is the parent of the init anyway' },
      help,
    ],
    load: () => import('./commands/run.js'),
  },
  {
    name: 'state',
    usage: 'output the state of a container',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [help],
    load: () => import('./commands/state.js'),
  },
  {
    name: 'kill',
    usage: "kill sends the specified signal (default: SIGTERM) to the container's init process",
    argsUsage: '<container-id> [signal]',
    args: 'min 1',
    flags: [{ name: 'all', aliases: ['a'], type: 'bool', usage: 'send the specified signal to all processes inside the container' }, help],
    load: () => import('./commands/kill.js'),
  },
  {
    name: 'delete',
    usage: 'delete any resources held by the container often used with detached container',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [{ name: 'force', aliases: ['f'], type: 'bool', usage: 'forcibly deletes the container if it is still running (uses SIGKILL)' }, help],
    load: () => import('./commands/delete.js'),
  },
  {
    name: 'list',
    usage: 'lists containers started by caisson with the given root',
    argsUsage: '',
    args: 'exact 0',
    flags: [
      { name: 'format', aliases: ['f'], type: 'string', value: 'table|json', usage: 'select one of: table or json', defaultText: 'table' },
      { name: 'quiet', aliases: ['q'], type: 'bool', usage: 'display only container IDs' },
      help,
    ],
    load: () => import('./commands/list.js'),
  },
  {
    name: 'spec',
    usage: 'create a new specification file',
    argsUsage: '',
    args: 'exact 0',
    flags: [
      { name: 'bundle', aliases: ['b'], type: 'string', value: 'DIR', usage: 'path to the root of the bundle directory' },
      { name: 'rootless', type: 'bool', usage: 'generate a configuration for a rootless container' },
      help,
    ],
    load: () => import('./commands/spec.js'),
  },
  {
    name: 'example-bundle',
    usage: 'write a runnable bundle: a busybox rootfs from the host and a default config.json',
    argsUsage: '<directory>',
    args: 'exact 1',
    flags: [help],
    load: () => import('./commands/example-bundle.js'),
  },
  ...(['pause', 'resume'] as const).map(
    (name): Command => ({
      name,
      usage: name === 'pause' ? 'pause suspends all processes inside the container' : 'resumes all processes that have been previously paused',
      argsUsage: '<container-id>',
      args: 'exact 1',
      flags: [help],
      load: () => import('./commands/pause.js'),
    }),
  ),
  {
    name: 'ps',
    usage: 'ps displays the processes running inside a container',
    argsUsage: '<container-id> [ps options]',
    args: 'min 1',
    flags: [{ name: 'format', aliases: ['f'], type: 'string', value: 'table|json', usage: 'select one of: table or json', defaultText: 'table' }, help],
    load: () => import('./commands/ps.js'),
  },
  {
    name: 'update',
    usage: 'update container resource constraints',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [
      { name: 'resources', aliases: ['r'], type: 'string', value: 'FILE', usage: 'path to a file with the resources to update, or - to read them from standard input' },
      { name: 'blkio-weight', type: 'int', value: 'N', usage: 'block IO (relative weight), between 10 and 1000' },
      { name: 'cpu-period', type: 'string', value: 'N', usage: 'CPU CFS period to be used for hardcapping (in usecs)' },
      { name: 'cpu-quota', type: 'string', value: 'N', usage: 'CPU CFS hardcap limit (in usecs)' },
      { name: 'cpu-burst', type: 'string', value: 'N', usage: 'CPU CFS hardcap burst limit (in usecs)' },
      { name: 'cpu-share', type: 'string', value: 'N', usage: 'CPU shares (relative weight vs. other containers)' },
      { name: 'cpu-rt-period', type: 'string', value: 'N', usage: 'CPU realtime period to be used for hardcapping (in usecs)' },
      { name: 'cpu-rt-runtime', type: 'string', value: 'N', usage: 'CPU realtime hardcap limit (in usecs)' },
      { name: 'cpuset-cpus', type: 'string', value: 'LIST', usage: 'CPU(s) to use' },
      { name: 'cpuset-mems', type: 'string', value: 'LIST', usage: 'memory node(s) to use' },
      { name: 'memory', type: 'string', value: 'SIZE', usage: 'memory limit (in bytes, or with a k/m/g unit)' },
      { name: 'memory-reservation', type: 'string', value: 'SIZE', usage: 'memory reservation or soft limit' },
      { name: 'memory-swap', type: 'string', value: 'SIZE', usage: 'total memory usage (memory + swap); -1 for unlimited swap' },
      { name: 'pids-limit', type: 'int', value: 'N', usage: 'maximum number of pids allowed in the container' },
      { name: 'cpu-idle', type: 'string', value: '0|1', usage: 'set cgroup SCHED_IDLE or not' },
      { name: 'kernel-memory', type: 'string', value: 'SIZE', usage: 'kernel memory limit (obsolete)', hidden: true },
      { name: 'kernel-memory-tcp', type: 'string', value: 'SIZE', usage: 'kernel memory limit for tcp buffer (obsolete)', hidden: true },
      help,
    ],
    load: () => import('./commands/update.js'),
  },
  {
    name: 'events',
    usage: 'display container events such as OOM notifications, cpu, memory, and IO usage statistics',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [
      { name: 'interval', type: 'string', value: 'DURATION', usage: 'set the stats collection interval', defaultText: '5s' },
      { name: 'stats', type: 'bool', usage: 'display the container stats then exit' },
      help,
    ],
    load: () => import('./commands/events.js'),
  },
  {
    name: 'exec',
    usage: 'execute new process inside the container',
    argsUsage: '<container-id> <command> [command options]  ||  -p process.json <container-id>',
    args: 'min 1',
    flags: [
      { name: 'console-socket', type: 'string', value: 'PATH', usage: 'path to an AF_UNIX socket which will receive the pty master fd' },
      { name: 'pidfd-socket', type: 'string', value: 'PATH', usage: 'not supported yet', hidden: true },
      { name: 'cwd', type: 'string', value: 'DIR', usage: 'current working directory in the container' },
      { name: 'env', aliases: ['e'], type: 'list', value: 'K=V', usage: 'set environment variables' },
      { name: 'tty', aliases: ['t'], type: 'bool', usage: 'allocate a pseudo-TTY' },
      { name: 'user', aliases: ['u'], type: 'string', value: 'UID[:GID]', usage: 'UID (format: <uid>[:<gid>])' },
      { name: 'additional-gids', aliases: ['g'], type: 'list', value: 'GID', usage: 'additional gids' },
      { name: 'process', aliases: ['p'], type: 'string', value: 'FILE', usage: 'path to the process.json' },
      { name: 'detach', aliases: ['d'], type: 'bool', usage: 'detach from the container\'s process' },
      { name: 'pid-file', type: 'string', value: 'FILE', usage: 'specify the file to write the process id to' },
      { name: 'process-label', type: 'string', value: 'LABEL', usage: 'set the asm process label for the process commonly used with selinux' },
      { name: 'apparmor', type: 'string', value: 'PROFILE', usage: 'set the apparmor profile for the process' },
      { name: 'no-new-privs', type: 'bool', usage: 'set the no new privileges value for the process' },
      { name: 'cap', aliases: ['c'], type: 'list', value: 'CAP', usage: 'add a capability to the bounding set for the process' },
      { name: 'preserve-fds', type: 'int', value: 'N', usage: 'pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N)', defaultText: '0' },
      { name: 'cgroup', type: 'string', value: 'PATH', usage: 'run in a sub-cgroup of the container: path, or controller[,controller]:path (v1)' },
      { name: 'ignore-paused', type: 'bool', usage: 'allow exec in a paused container' },
      help,
    ],
    load: () => import('./commands/exec.js'),
  },
  {
    name: 'features',
    usage: 'show the enabled features',
    description: 'Show the OCI features document: what this build of caisson implements.',
    argsUsage: '',
    args: 'exact 0',
    flags: [help],
    load: () => import('./commands/features.js'),
  },
  {
    name: 'checkpoint',
    usage: 'checkpoint a running container (not supported yet)',
    argsUsage: '<container-id>',
    args: 'exact 1',
    // runc's flags, accepted so that the answer is "not supported", not a usage error.
    flags: [...CRIU_FLAGS, help],
    load: () => import('./commands/not-yet.js'),
  },
  {
    name: 'restore',
    usage: 'restore a container from a previous checkpoint (not supported yet)',
    argsUsage: '<container-id>',
    args: 'exact 1',
    flags: [
      ...CRIU_FLAGS,
      ...['bundle', 'console-socket', 'pid-file', 'lsm-profile', 'lsm-mount-context'].map((name) => ({ name, type: 'string' as const, usage: '' })),
      ...['detach', 'no-subreaper', 'no-pivot'].map((name) => ({ name, type: 'bool' as const, usage: '' })),
      help,
    ],
    load: () => import('./commands/not-yet.js'),
  },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
