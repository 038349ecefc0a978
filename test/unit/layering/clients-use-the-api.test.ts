// The CLI and the shim are clients of the library's public API (lib/api), never a second
// implementation: neither may reach into the lifecycle functions, the state store's records or
// the cgroup manager behind the API's back. Only validation helpers are shared.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsFiles as files } from '../../helpers/paths.js';

const LIB = join(__dirname, '../../../lib');

/** Modules below lib/ that only lib/api may use. */
const BEHIND_THE_API = /(^|\/)(lifecycle|cgroups|plan|hooks)\/|state\/store\.js$/;
/** What clients may still take from there: validation, which the API itself applies too. */
const ALLOWED = new Map([
  ['lifecycle/exec.js', ['checkExecProcess']],
  ['state/store.js', ['validateId', 'DEFAULT_ROOT']],
]);

/** Every import of a module behind the API that takes more than what ALLOWED lets through. */
function violations(file: string, text = readFileSync(file, 'utf8')): string[] {
  const out: string[] = [];
  const re = /import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+)?\s*(?:from\s*)?\(?\s*'([^']+)'/g;
  for (const m of text.matchAll(re)) {
    const [, typeOnly, what, spec] = m;
    if (!spec!.startsWith('.')) continue;
    const target = relative(LIB, join(file, '..', spec!));
    if (!BEHIND_THE_API.test(target) || typeOnly) continue;
    const names = (what ?? '').replace(/[{}]/g, '').split(',').map((n) => n.trim().replace(/^type\s+/, '')).filter(Boolean);
    const allowed = ALLOWED.get(target) ?? [];
    const extra = names.filter((n) => !allowed.includes(n) && !/^type\s/.test(n));
    if (extra.length || !names.length) out.push(`${relative(LIB, file)} imports ${extra.join(', ') || what || 'the module'} from ${target}`);
  }
  // Dynamic imports too: `await import('../lifecycle/delete.js')`.
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) {
    const target = relative(LIB, join(file, '..', m[1]!));
    if (BEHIND_THE_API.test(target)) out.push(`${relative(LIB, file)} imports ${target} dynamically`);
  }
  return out;
}

describe('the CLI and the shim use the public API', () => {
  for (const client of ['cli', 'shim']) {
    it(`lib/${client} takes nothing from behind the API but validation`, () => {
      expect(files(join(LIB, client)).flatMap((f) => violations(f))).toEqual([]);
    });
  }

  it('the check itself sees forbidden imports, static and dynamic, and lets types and validation through', () => {
    const text = [
      "import { deleteContainer } from '../lifecycle/delete.js';",
      "import type { ContainerRecord } from '../state/store.js';",
      "import { validateId } from '../state/store.js';",
      "const { readStats } = await import('../cgroups/stats.js');",
    ].join('\n');
    expect(violations(join(LIB, 'shim', 'probe.ts'), text)).toEqual([
      'shim/probe.ts imports deleteContainer from lifecycle/delete.js',
      'shim/probe.ts imports cgroups/stats.js dynamically',
    ]);
  });
});
