// The package's install step: build the native addon (and the exec trampoline) with node-gyp,
// against the headers of the Node that runs us, found on this machine. Headers are never
// downloaded: a machine without them gets a message that says what to install.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath)), process.config.variables.node_prefix].filter(Boolean);
const nodedir = candidates.find((d) => existsSync(join(d, 'include/node/node_api.h')));
if (!nodedir) {
  console.error(
    `caisson: no Node.js headers on this machine (looked in ${candidates.map((d) => join(d, 'include/node')).join(', ')}); ` +
      'install them (Debian: apt-get install libnode-dev, or use a Node.js build that ships include/node), then reinstall.',
  );
  process.exit(1);
}

// npm hands lifecycle scripts its own node-gyp; fall back to the one beside npm.
const gyp = [process.env.npm_config_node_gyp, process.env.npm_execpath && join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'), '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'].find(
  (p) => p && existsSync(p),
);
if (!gyp) {
  console.error('caisson: node-gyp not found (it comes with npm)');
  process.exit(1);
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], { stdio: 'inherit' });
process.exit(r.status ?? 1);
