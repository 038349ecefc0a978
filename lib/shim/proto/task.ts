// The shim Task service messages (containerd api/runtime/task/v2/shim.proto; v3 has the same
// messages under another package) and the types they use.

import { f, message } from './codec.js';
import { Any, Timestamp } from './well-known.js';

export const Mount = message('containerd.types.Mount', { type: f.string(1), source: f.string(2), target: f.string(3), options: f.repeated.string(4) });
export type Mount = ReturnType<typeof Mount.decode>;

/** containerd.v1.types.Status */
export const TaskStatus = { UNKNOWN: 0, CREATED: 1, RUNNING: 2, STOPPED: 3, PAUSED: 4, PAUSING: 5 } as const;

export const ProcessInfo = message('containerd.v1.types.ProcessInfo', { pid: f.uint32(1), info: f.message(2, Any) });

export const StateRequest = message('containerd.task.v2.StateRequest', { id: f.string(1), execId: f.string(2) });
export const StateResponse = message('containerd.task.v2.StateResponse', {
  id: f.string(1),
  bundle: f.string(2),
  pid: f.uint32(3),
  status: f.enum(4),
  stdin: f.string(5),
  stdout: f.string(6),
  stderr: f.string(7),
  terminal: f.bool(8),
  exitStatus: f.uint32(9),
  exitedAt: f.message(10, Timestamp),
  execId: f.string(11),
});

export const CreateTaskRequest = message('containerd.task.v2.CreateTaskRequest', {
  id: f.string(1),
  bundle: f.string(2),
  rootfs: f.repeated.message(3, Mount),
  terminal: f.bool(4),
  stdin: f.string(5),
  stdout: f.string(6),
  stderr: f.string(7),
  checkpoint: f.string(8),
  parentCheckpoint: f.string(9),
  options: f.message(10, Any),
});
export type CreateTaskRequest = ReturnType<typeof CreateTaskRequest.decode>;
export const CreateTaskResponse = message('containerd.task.v2.CreateTaskResponse', { pid: f.uint32(1) });

export const StartRequest = message('containerd.task.v2.StartRequest', { id: f.string(1), execId: f.string(2) });
export const StartResponse = message('containerd.task.v2.StartResponse', { pid: f.uint32(1) });

export const DeleteRequest = message('containerd.task.v2.DeleteRequest', { id: f.string(1), execId: f.string(2) });
export const DeleteResponse = message('containerd.task.v2.DeleteResponse', { pid: f.uint32(1), exitStatus: f.uint32(2), exitedAt: f.message(3, Timestamp) });

export const PidsRequest = message('containerd.task.v2.PidsRequest', { id: f.string(1) });
export const PidsResponse = message('containerd.task.v2.PidsResponse', { processes: f.repeated.message(1, ProcessInfo) });

export const PauseRequest = message('containerd.task.v2.PauseRequest', { id: f.string(1) });
export const ResumeRequest = message('containerd.task.v2.ResumeRequest', { id: f.string(1) });

export const CheckpointTaskRequest = message('containerd.task.v2.CheckpointTaskRequest', { id: f.string(1), path: f.string(2), options: f.message(3, Any) });

export const KillRequest = message('containerd.task.v2.KillRequest', { id: f.string(1), execId: f.string(2), signal: f.uint32(3), all: f.bool(4) });

export const ExecProcessRequest = message('containerd.task.v2.ExecProcessRequest', {
  id: f.string(1),
  execId: f.string(2),
  terminal: f.bool(3),
  stdin: f.string(4),
  stdout: f.string(5),
  stderr: f.string(6),
  spec: f.message(7, Any),
});
export type ExecProcessRequest = ReturnType<typeof ExecProcessRequest.decode>;

export const ResizePtyRequest = message('containerd.task.v2.ResizePtyRequest', { id: f.string(1), execId: f.string(2), width: f.uint32(3), height: f.uint32(4) });
export const CloseIORequest = message('containerd.task.v2.CloseIORequest', { id: f.string(1), execId: f.string(2), stdin: f.bool(3) });
export const UpdateTaskRequest = message('containerd.task.v2.UpdateTaskRequest', { id: f.string(1), resources: f.message(2, Any), annotations: f.map(3) });

export const WaitRequest = message('containerd.task.v2.WaitRequest', { id: f.string(1), execId: f.string(2) });
export const WaitResponse = message('containerd.task.v2.WaitResponse', { exitStatus: f.uint32(1), exitedAt: f.message(2, Timestamp) });

export const StatsRequest = message('containerd.task.v2.StatsRequest', { id: f.string(1) });
export const StatsResponse = message('containerd.task.v2.StatsResponse', { stats: f.message(1, Any) });

export const ConnectRequest = message('containerd.task.v2.ConnectRequest', { id: f.string(1) });
export const ConnectResponse = message('containerd.task.v2.ConnectResponse', { shimPid: f.uint32(1), taskPid: f.uint32(2), version: f.string(3) });

export const ShutdownRequest = message('containerd.task.v2.ShutdownRequest', { id: f.string(1), now: f.bool(2) });
