#!/usr/bin/env node
// containerd-shim-caisson-v2 in Node (docs/shim.md): the code is dist/shim.cjs, built by npm
// install. Reached through bin/containerd-shim-caisson-v2, whose native launcher answers the
// common `start` and `delete` calls itself and execs this for the rest. CommonJS
// (bin/package.json): it loads faster than an ES module.
require('../dist/shim.cjs');
