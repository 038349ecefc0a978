// caisson's typed errors as the gRPC codes containerd's errdefs turn back into its own errors
// (NotFound → ErrNotFound, and so on), with the message kept.

import { CaissonError } from '../errors.js';
import { Code, TtrpcError } from './ttrpc/status.js';

export function toTtrpcError(err: unknown): TtrpcError {
  if (err instanceof TtrpcError) return err;
  if (err instanceof CaissonError) {
    switch (err.code) {
      case 'ENOTFOUND':
        return new TtrpcError(Code.NOT_FOUND, err.message);
      case 'EEXIST':
        return new TtrpcError(Code.ALREADY_EXISTS, err.message);
      case 'ESTATE':
        return new TtrpcError(Code.FAILED_PRECONDITION, err.message);
      case 'ECONFIG':
      case 'EUSAGE':
        return new TtrpcError(Code.INVALID_ARGUMENT, err.message);
      case 'ENOTSUP':
        return new TtrpcError(Code.UNIMPLEMENTED, err.message);
      case 'ESYSTEM':
        return new TtrpcError(Code.UNKNOWN, err.message);
    }
  }
  return new TtrpcError(Code.UNKNOWN, (err as Error)?.message ?? String(err));
}

export const notFound = (what: string) => new TtrpcError(Code.NOT_FOUND, what);
export const failedPrecondition = (what: string) => new TtrpcError(Code.FAILED_PRECONDITION, what);
export const invalidArgument = (what: string) => new TtrpcError(Code.INVALID_ARGUMENT, what);
export const alreadyExists = (what: string) => new TtrpcError(Code.ALREADY_EXISTS, what);
export const unimplemented = (what: string) => new TtrpcError(Code.UNIMPLEMENTED, what);
