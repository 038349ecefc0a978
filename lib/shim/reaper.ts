// The shim is a child subreaper, so processes orphaned below it (a container without its own pid
// namespace whose init has exited, a daemonising exec, a logging binary's children) become its
// children and must be collected here, or they stay zombies.
//
// It must not collect anyone else's child: the library waits for every container init and exec
// through its pidfd (waitid P_PIDFD), and Node's child_process waits for its own with waitpid
// on their pid; a status taken from under them is lost for good (libuv would never report that
// child's exit at all). So nothing here waits on "any child". On SIGCHLD it lists our children
// (/proc/self/task/*/children) and looks at those that are zombies: a pid that someone owns is
// left alone (the owners register them), and any other zombie is collected only once it has
// stayed a zombie across a grace period with the event loop running. An owner collects its
// child in the same loop turn that sees the exit (the pidfd poll and libuv's SIGCHLD handler),
// so a zombie still there after that has no owner left.

import { readdirSync, readFileSync } from 'node:fs';
import * as native from '../native.js';

const GRACE_MS = 200;

export class OrphanReaper {
  private readonly owned = new Set<number>();
  /** zombies seen on the last sweep, with their start time (against pid reuse) */
  private seen = new Map<number, string>();
  private timer?: NodeJS.Timeout;
  private readonly onSignal = () => this.schedule(0);
  reaped = 0;

  constructor(private readonly log: (msg: string) => void = () => {}) {}

  start(): void {
    native.setChildSubreaper();
    process.on('SIGCHLD', this.onSignal);
  }

  stop(): void {
    process.off('SIGCHLD', this.onSignal);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A pid whose exit someone else collects (a pidfd wait): never touched here. */
  own(pid: number): void {
    this.owned.add(pid);
  }

  disown(pid: number): void {
    this.owned.delete(pid);
  }

  private schedule(delay: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sweep();
    }, delay);
    this.timer.unref();
  }

  /** One pass: collect zombies seen on the previous pass too; remember the new ones. */
  sweep(): void {
    const now = new Map<number, string>();
    for (const pid of children()) {
      if (this.owned.has(pid)) continue;
      const stat = zombieStat(pid);
      if (stat === undefined) continue;
      if (this.seen.get(pid) === stat) {
        try {
          const status = native.reapChild(pid);
          if (status) {
            this.reaped++;
            this.log(`collected orphan ${pid} (${status.signal !== null ? `signal ${status.signal}` : `exit ${status.exitCode}`})`);
          }
        } catch {
          /* its owner collected it after all */
        }
      } else {
        now.set(pid, stat);
      }
    }
    this.seen = now;
    if (now.size) this.schedule(GRACE_MS);
  }
}

/** Our children, from every thread's list (an orphan goes to any live thread of ours). */
function children(): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const p of readFileSync(`/proc/self/task/${t}/children`, 'utf8').split(' ')) if (p) out.push(Number(p));
    } catch {
      /* thread gone */
    }
  }
  return out;
}

/** The start-time field of a zombie's stat, or undefined when `pid` is not a zombie. */
function zombieStat(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? fields[19] : undefined;
  } catch {
    return undefined;
  }
}
