/**
 * softmax — exact, fast softmax, log-softmax and log-sum-exp for JavaScript, with exact backward passes.
 * This entry runs in Node ≥ 20 and evergreen browsers; `softmax/node` adds file I/O for Node.
 */
export { softmax } from './normalizers/softmax.js';
export type { SoftmaxOptions, SoftmaxVjpOptions } from './normalizers/softmax.js';
export { logSoftmax } from './normalizers/logSoftmax.js';
export type { LogSoftmaxOptions } from './normalizers/logSoftmax.js';
export { logSumExp } from './normalizers/logSumExp.js';
export type { LogSumExpOptions, LogSumExpVjpOptions, LogSumExpOutput } from './normalizers/logSumExp.js';
export type { RowwiseOptions } from './normalizers/rowwise.js';

export { ready } from './kernels/wasm/module.js';
export { allocate, WasmFloat32Array } from './kernels/wasm/allocate.js';
export { setBackend, backendInfo } from './kernels/dispatch.js';
export type { BackendPreference, BackendInfo } from './kernels/dispatch.js';

export { SoftmaxError } from './tensor/errors.js';
export type { SoftmaxErrorCode } from './tensor/errors.js';
export type { FloatArray, TensorLike, Row, Input, OutputOf, MaskInput, Algorithm } from './tensor/types.js';

export { softmaxTopK } from './ops/softmaxTopK.js';
export type { SoftmaxTopKOptions, SoftmaxTopKResult } from './ops/softmaxTopK.js';
export { crossEntropy } from './ops/crossEntropy.js';
export type { CrossEntropyOptions, CrossEntropyVjpOptions, Labels } from './ops/crossEntropy.js';
