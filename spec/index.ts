// Public surface of the spec layer: runtime-spec v1.3.0 types and the in-memory validators.

export * from './types.js';
export { validateConfig, validateProcess, validateResources } from './validate.js';
export { isUint64Max } from './checks.js';
