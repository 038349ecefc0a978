// caisson's library entry point: `import { Runtime } from 'caisson'`.

export { Runtime } from './api/runtime.js';
export type { RuntimeOptions, Logger, LogContext, ContainerSource, CreateContainerOptions } from './api/runtime.js';
export { Container } from './api/container.js';
export type { CgroupInfo, ContainerEventWithExit, ExecProcessOptions } from './api/container.js';
export { ExecProcess } from './api/exec-process.js';
export type { ExitStatus } from './api/exit.js';
export { Pty } from './api/stdio.js';
export type { StdioKind, StdioOption } from './api/stdio.js';
export { spec } from './api/spec-builder.js';
export type { SpecEdit } from './api/spec-builder.js';
export type { ContainerState, Status } from './lifecycle/status.js';
export type { CreateOptions } from './lifecycle/create.js';
export type { ContainerEvent } from './lifecycle/events.js';
export type { Stats } from './cgroups/stats.js';
export {
  CaissonError,
  ConfigError,
  UnsupportedError,
  NotFoundError,
  AlreadyExistsError,
  StateError,
  SystemError,
  UsageError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export { validateConfig, validateProcess, validateResources } from '../spec/index.js';
export type * from '../spec/types.js';
export { parseSignal } from './signals.js';
export { writeExampleBundle, buildBusyboxRootfs } from './example-bundle.js';
export { defaultSpec } from './default-spec.js';
export { features } from './features.js';
