// Reads libseccomp's pseudo filter code (seccomp_export_pfc), a rendering of its rule database
// rather than of its BPF, and evaluates the argument tree of one syscall from it. The
// differential test uses it to classify a disagreement: if libseccomp's BPF contradicts
// libseccomp's own rule database and we agree with the database, the BPF generator is at fault
// (libseccomp 2.5.4 can reuse a block under a stale accumulator), not our merge semantics.
//
// The rendering: two spaces per level; a level is a run of `if (...)` lines, each with an
// optional body and an optional `else` body, a body being an `action ...;` or a deeper level.
// Evaluation follows the BPF semantics: an empty or undecided branch continues with the next
// `if` of the level, and a level that decides nothing returns to the level above.

type Stmt = { kind: 'action'; ret: number } | { kind: 'if'; test: (args: readonly bigint[]) => boolean; then: Stmt[]; else: Stmt[] };

export interface PfcFilter {
  /** arch name ("x86_64", "x32", "x86", "aarch64", "arm") → syscall number → its level. */
  trees: Map<string, Map<number, Stmt[]>>;
}

function actionRet(s: string): number {
  const m = /^action (\w+)(?:\((\d+)\))?;$/.exec(s);
  if (!m) throw new Error(`pfc: bad action line: ${s}`);
  const data = Number(m[2] ?? 0);
  switch (m[1]) {
    case 'KILL_PROCESS':
      return 0x80000000;
    case 'KILL':
      return 0;
    case 'TRAP':
      return 0x00030000;
    case 'ERRNO':
      return (0x00050000 | data) >>> 0;
    case 'TRACE':
      return (0x7ff00000 | data) >>> 0;
    case 'LOG':
      return 0x7ffc0000;
    case 'ALLOW':
      return 0x7fff0000;
    default:
      if (m[1]!.startsWith('0x')) return Number(m[1]) >>> 0;
      throw new Error(`pfc: unknown action ${m[1]}`);
  }
}

function argTest(cond: string): (args: readonly bigint[]) => boolean {
  const m = /^\$a(\d)(\.hi32|\.lo32)? (?:(==|>=|>)|& (0x[0-9a-f]+) ==) (\d+)$/.exec(cond);
  if (!m) throw new Error(`pfc: bad condition: ${cond}`);
  const arg = Number(m[1]);
  const high = m[2] === '.hi32';
  const op = m[3] ?? '&';
  const mask = m[4] ? Number(m[4]) : 0xffffffff;
  const datum = Number(m[5]);
  return (args) => {
    const v = args[arg] ?? 0n;
    const w = Number((high ? v >> 32n : v) & 0xffffffffn);
    if (op === '==') return w === datum;
    if (op === '>=') return w >= datum;
    if (op === '>') return w > datum;
    return (w & mask) >>> 0 === datum;
  };
}

interface Line {
  indent: number;
  text: string;
}

function parseLevel(lines: Line[], at: { i: number }, indent: number): Stmt[] {
  const out: Stmt[] = [];
  while (at.i < lines.length && lines[at.i]!.indent === indent) {
    const l = lines[at.i]!;
    if (l.text.startsWith('action ')) {
      out.push({ kind: 'action', ret: actionRet(l.text) });
      at.i++;
      continue;
    }
    const m = /^if \((.*)\)$/.exec(l.text);
    if (!m) break;
    at.i++;
    const stmt: Stmt = { kind: 'if', test: argTest(m[1]!), then: [], else: [] };
    if (at.i < lines.length && lines[at.i]!.indent === indent + 1) stmt.then = parseLevel(lines, at, indent + 1);
    if (at.i < lines.length && lines[at.i]!.indent === indent && lines[at.i]!.text === 'else') {
      at.i++;
      stmt.else = parseLevel(lines, at, indent + 1);
    }
    out.push(stmt);
  }
  return out;
}

export function parsePfc(text: string): PfcFilter {
  let arch = '';
  const trees = new Map<string, Map<number, Stmt[]>>();
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]!;
    const a = /^# filter for arch (\S+) /.exec(r);
    if (a) {
      arch = a[1]!;
      trees.set(arch, new Map());
      continue;
    }
    // With the binary-tree optimiser the syscall tests nest under `if ($syscall > N)` lines.
    const s = /^( *)if \(\$syscall == (\d+)\)$/.exec(r);
    if (s && arch) {
      const at = s[1]!.length / 2;
      // The syscall's body: the following lines indented deeper than its test.
      const body: Line[] = [];
      const indentOf = (t: string) => (t.length - t.trimStart().length) / 2;
      while (i + 1 < raw.length && raw[i + 1]!.trim() && indentOf(raw[i + 1]!) > at) {
        const t = raw[++i]!;
        body.push({ indent: indentOf(t), text: t.trim() });
      }
      trees.get(arch)!.set(Number(s[2]), parseLevel(body, { i: 0 }, at + 1));
    }
  }
  return { trees };
}

/** The decision of a syscall's level; undefined when nothing in it decides. */
export function evaluateLevel(level: readonly Stmt[], args: readonly bigint[]): number | undefined {
  for (const s of level) {
    if (s.kind === 'action') return s.ret;
    const branch = s.test(args) ? s.then : s.else;
    const r = evaluateLevel(branch, args);
    if (r !== undefined) return r;
  }
  return undefined;
}
