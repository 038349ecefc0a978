// The shim's command line as containerd 1.6 to 2.x builds it (pkg/shim/util.go Command): Go
// `flag` syntax, flags before the action word: `-namespace ns -address a -publish-binary b -id x
// [-bundle p] [-debug] start|delete`; with no action word, the process is the long-lived server.
// Environment: TTRPC_ADDRESS (containerd's ttrpc socket, for events), GRPC_ADDRESS, NAMESPACE.

export interface ShimFlags {
  namespace: string;
  /** containerd's gRPC address */
  address: string;
  publishBinary: string;
  id: string;
  bundle: string;
  debug: boolean;
  version: boolean;
  info: boolean;
  /** serve on this socket path instead of the inherited fd 3 */
  socket: string;
  /** start | delete | '' (the server) */
  action: string;
  ttrpcAddress: string;
}

const STRING_FLAGS: Record<string, keyof ShimFlags> = {
  namespace: 'namespace',
  address: 'address',
  'publish-binary': 'publishBinary',
  id: 'id',
  bundle: 'bundle',
  socket: 'socket',
};
const BOOL_FLAGS: Record<string, keyof ShimFlags> = { debug: 'debug', v: 'version', version: 'version', info: 'info' };

export class FlagError extends Error {}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv = process.env): ShimFlags {
  const out: ShimFlags = {
    namespace: '',
    address: '',
    publishBinary: '',
    id: '',
    bundle: '',
    debug: false,
    version: false,
    info: false,
    socket: '',
    action: '',
    ttrpcAddress: env.TTRPC_ADDRESS ?? '',
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    if (name in BOOL_FLAGS) {
      const v = eq >= 0 ? body.slice(eq + 1) : 'true';
      if (!/^(1|0|t|f|true|false|TRUE|FALSE|True|False)$/.test(v)) throw new FlagError(`invalid boolean value ${JSON.stringify(v)} for -${name}`);
      (out as unknown as Record<string, unknown>)[BOOL_FLAGS[name]!] = /^(1|t|true)$/i.test(v);
    } else if (name in STRING_FLAGS) {
      let v: string;
      if (eq >= 0) v = body.slice(eq + 1);
      else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
        v = argv[++i]!;
      }
      (out as unknown as Record<string, unknown>)[STRING_FLAGS[name]!] = v;
    } else {
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
  }
  out.action = argv[i] ?? '';
  // 1.7+ also pass these in the environment; the flags win where both are given.
  if (!out.namespace) out.namespace = env.NAMESPACE ?? '';
  if (!out.address) out.address = env.GRPC_ADDRESS ?? '';
  return out;
}
