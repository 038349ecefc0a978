// Building a config.json in code: the default config (as `caisson spec` writes it) and small
// edits that compose. Each edit is a function from a config to a new one (the input is never
// changed), and `spec.default(...)` / `spec.build(...)` apply them in order and validate the
// result, so what comes out is a typed config the runtime accepts, or a ConfigError naming the
// JSON path that is wrong.
//
//   const config = spec.default({ args: ['sh', '-c', 'echo hi'] },
//     spec.withHostname('web'),
//     spec.withMount({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro'] }),
//     spec.withResources({ memory: { limit: 64 << 20 } }));

import { checkConfig } from '../bundle.js';
import { defaultSpec } from '../default-spec.js';
import type { DefaultSpecOptions } from '../default-spec.js';
import type { Capability, LinuxNamespace, LinuxNamespaceType, LinuxResources, Mount, Process, Spec, User } from '../../spec/types.js';

/** One composable change to a config. */
export type SpecEdit = (s: Spec) => Spec;

const clone = (s: Spec): Spec => structuredClone(s);

/** Apply edits in order to a copy of `base`, then validate. */
function build(base: Spec, ...edits: SpecEdit[]): Spec {
  return checkConfig(edits.reduce((s, e) => e(s), clone(base)));
}

/** The default config, with edits applied and validated. */
function defaults(opts: DefaultSpecOptions = {}, ...edits: SpecEdit[]): Spec {
  return build(defaultSpec(opts), ...edits);
}

const edit =
  (fn: (s: Spec) => void): SpecEdit =>
  (s) => {
    const c = clone(s);
    fn(c);
    return c;
  };

/** Add a mount (after the default ones, so it can cover them). */
const withMount = (m: Mount): SpecEdit => edit((s) => void (s.mounts = [...(s.mounts ?? []), m]));

/** Replace the program and its arguments. */
const withArgs = (args: string[]): SpecEdit => edit((s) => void (s.process!.args = [...args]));

/** Set environment variables (KEY=VALUE), replacing those with the same key. */
const withEnv = (vars: Record<string, string>): SpecEdit =>
  edit((s) => {
    const keep = (s.process!.env ?? []).filter((e) => !Object.hasOwn(vars, e.slice(0, e.indexOf('='))));
    s.process!.env = [...keep, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
  });

const withCwd = (cwd: string): SpecEdit => edit((s) => void (s.process!.cwd = cwd));

const withUser = (user: User): SpecEdit => edit((s) => void (s.process!.user = { ...user }));

const withHostname = (hostname: string): SpecEdit => edit((s) => void (s.hostname = hostname));

/** The process gets a terminal (the library hands you the pty; the CLI needs a console socket). */
const withTerminal = (on = true): SpecEdit => edit((s) => void (s.process!.terminal = on));

/** The rootfs writable (the default config makes it read-only). */
const withWritableRootfs = (): SpecEdit => edit((s) => void (s.root = { ...s.root, readonly: false }));

/** Merge resources into linux.resources (per group: memory, cpu, pids, ...). */
const withResources = (r: LinuxResources): SpecEdit =>
  edit((s) => {
    const cur = (s.linux ??= {}).resources ?? {};
    const merged: Record<string, unknown> = { ...cur };
    for (const [k, v] of Object.entries(r)) {
      const old = (cur as Record<string, unknown>)[k];
      merged[k] = v && typeof v === 'object' && !Array.isArray(v) && old && typeof old === 'object' && !Array.isArray(old) ? { ...old, ...v } : v;
    }
    s.linux.resources = merged as LinuxResources;
  });

/**
 * Set the namespaces: a type maps to true (a new one), false (none: share ours), or a path
 * (join that one). Types not named stay as they are.
 */
const withNamespaces = (ns: Partial<Record<LinuxNamespaceType, boolean | string>>): SpecEdit =>
  edit((s) => {
    const linux = (s.linux ??= {});
    const list: LinuxNamespace[] = (linux.namespaces ?? []).filter((n) => !(n.type in ns));
    for (const [type, v] of Object.entries(ns) as [LinuxNamespaceType, boolean | string][]) {
      if (v === true) list.push({ type });
      else if (typeof v === 'string') list.push({ type, path: v });
    }
    linux.namespaces = list;
  });

/** Add capabilities to the bounding, effective and permitted sets (never inheritable). */
const withCapabilities = (...caps: Capability[]): SpecEdit =>
  edit((s) => {
    const c = (s.process!.capabilities ??= {});
    for (const set of ['bounding', 'effective', 'permitted'] as const) c[set] = [...new Set([...(c[set] ?? []), ...caps])];
  });

/** Drop capabilities from every set. */
const withoutCapabilities = (...caps: Capability[]): SpecEdit =>
  edit((s) => {
    const c = s.process!.capabilities;
    if (!c) return;
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) if (c[set]) c[set] = c[set]!.filter((x) => !(caps as string[]).includes(x));
  });

/** Change anything else of `process`. */
const withProcess = (p: Partial<Process>): SpecEdit => edit((s) => void (s.process = { ...s.process!, ...p }));

export const spec = {
  default: defaults,
  build,
  withArgs,
  withEnv,
  withCwd,
  withUser,
  withHostname,
  withTerminal,
  withWritableRootfs,
  withMount,
  withResources,
  withNamespaces,
  withCapabilities,
  withoutCapabilities,
  withProcess,
};
