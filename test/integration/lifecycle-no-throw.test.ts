// A lifecycle that goes as planned throws nothing, not even an exception caught inside. Building
// an Error (its stack trace above all) costs ~20 µs, several times a plain system call: the
// sync socket's "nothing to read yet" and delete's look at a process already gone used to cost
// three of them per container. The inspector pauses on every exception, caught or not, and the
// test counts them.

import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runtime } from '../../lib/index.js';
import type { Spec } from '../../spec/types.js';
import { FIXTURE_ROOTFS } from '../helpers/paths.js';
import { IS_CAISSON, Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox('nothrow');
});
afterEach(async () => {
  await sb.cleanup();
});

describe.skipIf(!IS_CAISSON)('a plain lifecycle', () => {
  it('create, start, wait and delete throw no exception, caught or not', async () => {
    const runtime = new Runtime({ root: sb.root });
    const bundle = sb.bundle(['true']);
    const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as Spec;
    // From a bundle, and from a config object (its state directory then holds the config too).
    const lifecycle = async (fromConfig = false) => {
      const c = await runtime.create(sb.id(), fromConfig ? { config, rootfs: FIXTURE_ROOTFS, stdio: 'ignore' } : { bundle, stdio: 'ignore' });
      await c.start();
      expect((await c.wait()).exitCode).toBe(0);
      await c.delete();
    };
    // The first ones load the addon, start the spawner and read the host's facts.
    await lifecycle();
    await lifecycle(true);
    const thrown: string[] = [];
    const session = new Session();
    session.connect();
    session.on('Debugger.paused', (m) => {
      const frames = m.params.callFrames.slice(0, 4).map((f) => f.functionName || '(anonymous)');
      const what = (m.params.data as { description?: string } | undefined)?.description?.split('\n')[0] ?? '?';
      thrown.push(`${what} in ${frames.join(' < ')}`);
      session.post('Debugger.resume');
    });
    session.post('Debugger.enable');
    session.post('Debugger.setPauseOnExceptions', { state: 'all' });
    try {
      for (let i = 0; i < 3; i++) await lifecycle(i === 2);
    } finally {
      session.post('Debugger.setPauseOnExceptions', { state: 'none' });
      session.disconnect();
    }
    expect(thrown).toEqual([]);
    expect(sb.stateLeft()).toEqual([]);
  });
});
