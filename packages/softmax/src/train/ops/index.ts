/**
 * The differentiable operations of the tape (imported as the `autograd` namespace of `softmax`):
 * each records its forward and backs it with the library's own `vjp` where one exists.
 */
export { add, sub, mul, div } from './elementwise.js';
export { exp, log, tanh, sigmoid, relu, silu, gelu, neg, square, sqrt, scale } from './unary.js';
export { erf } from './erf.js';
export { reshape, transpose, slice, concat } from './shape.js';
export { sum, mean } from './reduce.js';
export { layerNorm, rmsNorm } from './norm.js';
export { embedding } from './embedding.js';
export { dropout } from './dropout.js';
export { matmulOp as matmul } from './matmul.js';
export { linear } from './linear.js';
export { attend as attention } from './attention.js';
export { rope } from './rope.js';
export { normalize } from './normalize.js';
export { crossEntropyLoss as crossEntropy } from './losses.js';
export { record } from '../autograd/variable.js';
