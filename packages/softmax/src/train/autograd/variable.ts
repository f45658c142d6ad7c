import { fail } from '../../tensor/errors.js';
import type { FloatArray, TensorLike } from '../../tensor/types.js';
import { allocLike, checkDims, isFloatArray, sizeOf } from '../../tensor/view.js';
import { isGradEnabled } from './gradMode.js';

/**
 * How one recorded operation turns the gradient of its output into gradients of its inputs: returns
 * one entry per input (`null` where that input needs none). Gradient formulas live with the ops'
 * own `vjp`s; a backward function only calls them.
 */
export type BackwardFn = (outputGrad: FloatArray) => ReadonlyArray<FloatArray | null>;

/** The tape entry of a variable produced by an operation. */
export interface TapeNode {
  readonly op: string;
  readonly inputs: readonly Variable[];
  readonly backward: BackwardFn;
}

export interface VariableOptions {
  /** Accumulate a gradient into `grad` on `backward()` (default false). */
  requiresGrad?: boolean;
  /** A label used in error messages and by modules' parameter names. */
  name?: string;
}

/**
 * A tensor on the autograd tape: `{ data, dims }` (so every library function accepts it as a
 * `TensorLike`) plus `requiresGrad`, `grad` and the operation that produced it.
 *
 * Leaves (variables created by the user, e.g. parameters) with `requiresGrad` accumulate `grad` over
 * `backward()` calls until `zeroGrad()`; intermediate gradients live only during `backward()`.
 */
export class Variable implements TensorLike {
  data: FloatArray;
  readonly dims: readonly number[];
  requiresGrad: boolean;
  grad: FloatArray | null = null;
  name: string | undefined;
  /** The recorded operation that produced this variable; null for leaves and untracked results. */
  readonly node: TapeNode | null;

  constructor(data: FloatArray, dims: readonly number[], options: VariableOptions = {}, node: TapeNode | null = null) {
    if (!isFloatArray(data)) fail('E_DTYPE', options.name ?? 'data', 'a Float32Array or Float64Array', data);
    const checked = checkDims(dims, `${options.name ?? 'variable'}.dims`);
    if (sizeOf(checked) !== data.length) {
      fail('E_SHAPE', `${options.name ?? 'variable'}.dims`, `a product equal to data.length (${data.length})`, `[${checked.join(', ')}]`);
    }
    this.data = data;
    this.dims = [...checked];
    this.requiresGrad = node !== null || options.requiresGrad === true;
    this.name = options.name;
    this.node = node;
  }

  /** Wraps (without copying) a tensor, e.g. an input batch or an onnxruntime output. */
  static from(tensor: TensorLike, options: VariableOptions = {}): Variable {
    if (tensor instanceof Variable && !options.requiresGrad && options.name === undefined) return tensor;
    if (typeof tensor !== 'object' || tensor === null || !('data' in tensor)) fail('E_INPUT', options.name ?? 'tensor', 'a { data, dims } tensor', tensor);
    return new Variable(tensor.data, tensor.dims, options);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** True when this variable is a leaf that accumulates `grad` (a parameter or a watched input). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The single value of a one-element variable (e.g. a loss). */
  item(): number {
    if (this.data.length !== 1) fail('E_SHAPE', this.name ?? 'variable', 'exactly one element for item()', `[${this.dims.join(', ')}]`);
    return this.data[0];
  }

  /** A leaf sharing this variable's data, cut from the tape. */
  detach(): Variable {
    return new Variable(this.data, this.dims, { name: this.name });
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Reverse-mode differentiation from this variable: every leaf with `requiresGrad` that it depends
   * on gets ∂(seed·this)/∂leaf added to its `grad`. `seed` defaults to 1 for a one-element variable
   * (a loss); otherwise it must be given (same length as `data`). O(size of the recorded graph).
   */
  backward(seed?: FloatArray | readonly number[]): void {
    backward(this, seed);
  }
}

/**
 * Records an operation's result. When recording is off or no input needs a gradient, the result is an
 * untracked leaf and `backward` is dropped (so no closure keeps the inputs alive).
 */
export function record(op: string, data: FloatArray, dims: readonly number[], inputs: readonly Variable[], backwardFn: BackwardFn): Variable {
  if (!isGradEnabled() || !inputs.some((v) => v.requiresGrad)) return new Variable(data, dims);
  return new Variable(data, dims, {}, { op, inputs, backward: backwardFn });
}

/** Variables reachable from `root` through tape nodes, in topological order (inputs before outputs). */
function topologicalOrder(root: Variable): Variable[] {
  const order: Variable[] = [];
  const seen = new Set<Variable>();
  // Iterative depth-first search: deep graphs (long recurrences) must not overflow the call stack.
  const stack: Array<{ v: Variable; next: number }> = [{ v: root, next: 0 }];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.v.node?.inputs ?? [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (!seen.has(child) && child.requiresGrad) {
        seen.add(child);
        stack.push({ v: child, next: 0 });
      }
    } else {
      order.push(top.v);
      stack.pop();
    }
  }
  return order;
}

function addInto(target: FloatArray, source: FloatArray): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

function copyOf(like: FloatArray, source: FloatArray): FloatArray {
  const copy = allocLike(like, source.length);
  copy.set(source);
  return copy;
}

function backward(root: Variable, seed?: FloatArray | readonly number[]): void {
  if (!root.requiresGrad) fail('E_STATE', root.name ?? 'variable', 'a variable that requires grad (a result of recorded operations on parameters)');
  const start = allocLike(root.data, root.size);
  if (seed === undefined) {
    if (root.size !== 1) fail('E_PARAM', 'seed', `a gradient of length ${root.size} (backward() without a seed needs a one-element variable)`);
    start[0] = 1;
  } else {
    if (seed.length !== root.size) fail('E_SHAPE', 'seed', `length ${root.size}`, seed.length);
    for (let i = 0; i < start.length; i++) start[i] = seed[i];
  }
  // Backward functions may return shared arrays (an addition hands the same gradient to both inputs),
  // so a gradient is copied before the first time something is accumulated into it.
  const grads = new Map<Variable, FloatArray>([[root, start]]);
  const owned = new Set<FloatArray>([start]);
  const order = topologicalOrder(root);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    const g = grads.get(v);
    if (g === undefined) continue;
    grads.delete(v); // free intermediate gradients as soon as they are consumed
    const node = v.node;
    if (node === null) {
      if (v.grad === null) v.grad = copyOf(v.data, g);
      else addInto(v.grad, g);
      continue;
    }
    const inputGrads = node.backward(g);
    node.inputs.forEach((input, k) => {
      const ig = inputGrads[k];
      if (ig === null || ig === undefined || !input.requiresGrad) return;
      if (ig.length !== input.size) fail('E_STATE', `${node.op} backward`, `a gradient of length ${input.size} for input ${k}`, ig.length);
      const existing = grads.get(input);
      if (existing === undefined) {
        grads.set(input, ig);
      } else if (owned.has(existing)) {
        addInto(existing, ig);
      } else {
        const sum = copyOf(input.data, existing);
        addInto(sum, ig);
        owned.add(sum);
        grads.set(input, sum);
      }
    });
  }
}
