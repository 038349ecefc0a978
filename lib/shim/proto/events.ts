// Task events (containerd api/events/task.proto) and the envelope they travel in to
// containerd's Events.Forward (api/services/ttrpc/events/v1/events.proto).

import { f, message } from './codec.js';
import { Any, Timestamp } from './well-known.js';
import { Mount } from './task.js';

export const TaskIO = message('containerd.events.TaskIO', { stdin: f.string(1), stdout: f.string(2), stderr: f.string(3), terminal: f.bool(4) });

export const TaskCreate = message('containerd.events.TaskCreate', {
  containerId: f.string(1),
  bundle: f.string(2),
  rootfs: f.repeated.message(3, Mount),
  io: f.message(4, TaskIO),
  checkpoint: f.string(5),
  pid: f.uint32(6),
});
export const TaskStart = message('containerd.events.TaskStart', { containerId: f.string(1), pid: f.uint32(2) });
export const TaskDelete = message('containerd.events.TaskDelete', {
  containerId: f.string(1),
  pid: f.uint32(2),
  exitStatus: f.uint32(3),
  exitedAt: f.message(4, Timestamp),
  id: f.string(5),
});
export const TaskExit = message('containerd.events.TaskExit', {
  containerId: f.string(1),
  id: f.string(2),
  pid: f.uint32(3),
  exitStatus: f.uint32(4),
  exitedAt: f.message(5, Timestamp),
});
export const TaskOOM = message('containerd.events.TaskOOM', { containerId: f.string(1) });
export const TaskExecAdded = message('containerd.events.TaskExecAdded', { containerId: f.string(1), execId: f.string(2) });
export const TaskExecStarted = message('containerd.events.TaskExecStarted', { containerId: f.string(1), execId: f.string(2), pid: f.uint32(3) });
export const TaskPaused = message('containerd.events.TaskPaused', { containerId: f.string(1) });
export const TaskResumed = message('containerd.events.TaskResumed', { containerId: f.string(1) });

export const Envelope = message('containerd.types.Envelope', { timestamp: f.message(1, Timestamp), namespace: f.string(2), topic: f.string(3), event: f.message(4, Any) });
export const ForwardRequest = message('containerd.services.events.ttrpc.v1.ForwardRequest', { envelope: f.message(1, Envelope) });

/** Topic of each event (containerd core/runtime/events.go). */
export const TOPICS = {
  [TaskCreate.name]: '/tasks/create',
  [TaskStart.name]: '/tasks/start',
  [TaskExit.name]: '/tasks/exit',
  [TaskDelete.name]: '/tasks/delete',
  [TaskExecAdded.name]: '/tasks/exec-added',
  [TaskExecStarted.name]: '/tasks/exec-started',
  [TaskPaused.name]: '/tasks/paused',
  [TaskResumed.name]: '/tasks/resumed',
  [TaskOOM.name]: '/tasks/oom',
} as const;
