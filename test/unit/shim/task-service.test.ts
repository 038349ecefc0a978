// The Task service's answers that need no container: unknown ids, garbage payloads, methods
// caisson does not implement, Shutdown with nothing left. Served through a real ttrpc server,
// as containerd would call them, under both service names.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TtrpcClient } from '../../../lib/shim/ttrpc/client.js';
import { TtrpcServer } from '../../../lib/shim/ttrpc/server.js';
import { Code } from '../../../lib/shim/ttrpc/status.js';
import { TaskService, TASK_SERVICES } from '../../../lib/shim/task-service.js';
import { EventPublisher } from '../../../lib/shim/events/publisher.js';
import { ShimLog } from '../../../lib/shim/log.js';
import * as task from '../../../lib/shim/proto/task.js';

let dir: string;
let server: TtrpcServer;
let client: TtrpcClient;
let idle = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'caisson-task-'));
  const log = new ShimLog(false);
  const publisher = new EventPublisher({ namespace: 'ns', ttrpcAddress: join(dir, 'nobody.sock'), grpcAddress: '', publishBinary: '', log: { warn: () => {}, debug: () => {} } });
  const service = new TaskService({ namespace: 'ns', publisher, log, onIdle: () => idle++ });
  server = new TtrpcServer();
  for (const name of TASK_SERVICES) server.register(name, service.handlers());
  await server.listen({ path: join(dir, 's.sock') });
  client = await TtrpcClient.connect(join(dir, 's.sock'));
});

afterAll(async () => {
  client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Task service without containers', () => {
  it('answers NotFound for an unknown container, under v2 and v3', async () => {
    for (const svc of TASK_SERVICES) {
      await expect(client.call(svc, 'State', task.StateRequest.encode({ id: 'nope' }))).rejects.toMatchObject({ code: Code.NOT_FOUND });
      await expect(client.call(svc, 'Kill', task.KillRequest.encode({ id: 'nope', signal: 9 }))).rejects.toMatchObject({ code: Code.NOT_FOUND });
      await expect(client.call(svc, 'Wait', task.WaitRequest.encode({ id: 'nope' }))).rejects.toMatchObject({ code: Code.NOT_FOUND });
    }
  });

  it('answers a truncated or malformed payload with InvalidArgument, and keeps serving', async () => {
    for (const m of ['Create', 'Start', 'Exec', 'Update', 'Delete']) {
      await expect(client.call(TASK_SERVICES[0]!, m, Buffer.from('0a7f61', 'hex'))).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    }
    const c = task.ConnectResponse.decode(await client.call(TASK_SERVICES[0]!, 'Connect', task.ConnectRequest.encode({ id: 'x' })));
    expect(c).toMatchObject({ shimPid: process.pid, taskPid: 0 });
  });

  it('refuses a bad container id and a checkpoint restore clearly', async () => {
    await expect(client.call(TASK_SERVICES[0]!, 'Create', task.CreateTaskRequest.encode({ id: '../x', bundle: dir }))).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    await expect(client.call(TASK_SERVICES[0]!, 'Create', task.CreateTaskRequest.encode({ id: 'c', bundle: dir, checkpoint: '/cp' }))).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
    await expect(client.call(TASK_SERVICES[0]!, 'Checkpoint', task.CheckpointTaskRequest.encode({ id: 'c' }))).rejects.toMatchObject({ code: Code.UNIMPLEMENTED });
  });

  it('a Create of a bundle without config.json fails with the reason and leaves nothing registered', async () => {
    await expect(client.call(TASK_SERVICES[0]!, 'Create', task.CreateTaskRequest.encode({ id: 'c2', bundle: dir }))).rejects.toMatchObject({ message: expect.stringMatching(/config\.json not found/) });
    await expect(client.call(TASK_SERVICES[0]!, 'State', task.StateRequest.encode({ id: 'c2' }))).rejects.toMatchObject({ code: Code.NOT_FOUND });
  });

  it('Shutdown with no containers lets the shim go', async () => {
    await client.call(TASK_SERVICES[0]!, 'Shutdown', task.ShutdownRequest.encode({ id: 'x' }));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(1);
  });
});
