// Turning a child's error report (op index, failing call, errno) into an error that names the
// step, in the words runc users know.

import { CaissonError, SystemError, errnoText } from '../errors.js';
import { Op } from '../plan/opcodes.js';
import type { ChildMessage } from './sync.js';

/** The init failed at an op: say which, with the errno, in the words runc users know. */
export function initError(
  opAt: (index: number) => { code: number; label: string; fields?: unknown[] } | undefined,
  m: Extract<ChildMessage, { type: 'error' }>,
): CaissonError {
  const op = opAt(m.opIndex);
  if (op?.code === Op.RESOLVE_EXEC) {
    const file = String(op.fields?.[0] ?? '');
    const why = m.syscall === 'stat' ? `stat ${file}: ${errnoText(m.errno)}` : m.errno === 13 ? 'permission denied' : 'executable file not found in $PATH';
    return new SystemError(op.label, m.errno, { syscall: m.syscall, message: `exec: "${file}": ${why}` });
  }
  const step = op ? op.label : `plan op ${m.opIndex}`;
  const full = m.syscall && !step.includes(m.syscall) ? `${step}: ${m.syscall}` : step;
  return new SystemError(full, m.errno, { syscall: m.syscall, detail: m.detail || undefined });
}

