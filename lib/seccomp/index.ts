// The seccomp compiler: an OCI linux.seccomp profile → a classic-BPF program for seccomp(2),
// with the decisions runc + libseccomp 2.5.4 give (see docs/seccomp.md).

export { compileSeccomp } from './compile.js';
export type { CompileOptions, CompiledSeccomp } from './compile.js';
export type { SupportedArch } from './arch.js';
export { ARCHES, AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, X32_SYSCALL_BIT, syscallNumber } from './arch.js';
export { describeRet } from './actions.js';
export {
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
} from './flags.js';
