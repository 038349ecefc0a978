// The bundled entry of `caisson` (bin/caisson requires dist/cli.cjs).
import { main } from './main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
