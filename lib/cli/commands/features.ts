import { features } from '../../features.js';
import { COMMIT, PACKAGE_VERSION } from '../version.js';
import type { CommandContext } from '../commands.js';
import { out } from '../log.js';

export async function run(_ctx: CommandContext): Promise<number> {
  const doc = await features({ annotations: { 'org.caisson.version': PACKAGE_VERSION, ...(COMMIT ? { 'org.caisson.commit': COMMIT } : {}) } });
  // 4-space indent, as runc prints it.
  out(`${JSON.stringify(doc, null, 4)}\n`);
  return 0;
}
