import { fail } from '../../tensor/errors.js';
import type { FloatArray, TensorLike } from '../../tensor/types.js';
import { Variable } from '../autograd/variable.js';

/**
 * Base class of trainable layers. Parameters and sub-modules are discovered from the instance's own
 * fields (as in PyTorch): a leaf `Variable` with `requiresGrad` is a parameter named after its field,
 * a `Module` field contributes its parameters under `field.`, and an array of modules under
 * `field.0.`, `field.1.` …. Names are therefore stable and match a checkpoint's tensor names.
 */
export abstract class Module {
  /** Training mode (dropout active). Set by `train()` / `eval()` on the whole tree. */
  training = true;

  /** Every parameter with its dotted name, in field order. */
  namedParameters(prefix = ''): Map<string, Variable> {
    const out = new Map<string, Variable>();
    for (const [field, value] of Object.entries(this)) {
      if (value instanceof Variable) {
        if (value.isLeaf && value.requiresGrad) out.set(prefix + field, value);
      } else if (value instanceof Module) {
        for (const [name, p] of value.namedParameters(`${prefix}${field}.`)) out.set(name, p);
      } else if (Array.isArray(value)) {
        value.forEach((item: unknown, i) => {
          if (item instanceof Module) for (const [name, p] of item.namedParameters(`${prefix}${field}.${i}.`)) out.set(name, p);
        });
      }
    }
    return out;
  }

  /** The parameters (for optimisers). */
  parameters(): Variable[] {
    return [...this.namedParameters().values()];
  }

  /** Total number of trainable scalars. */
  parameterCount(): number {
    let n = 0;
    for (const p of this.namedParameters().values()) n += p.size;
    return n;
  }

  /** Sub-modules (direct children and array elements). */
  protected children(): Module[] {
    const out: Module[] = [];
    for (const value of Object.values(this)) {
      if (value instanceof Module) out.push(value);
      else if (Array.isArray(value)) for (const item of value) if (item instanceof Module) out.push(item);
    }
    return out;
  }

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children()) c.train(mode);
    return this;
  }

  /** Evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.namedParameters().values()) p.zeroGrad();
  }

  /** Parameters by name as plain tensors sharing the parameters' data (save with `saveSafetensors`). */
  stateDict(): Map<string, { data: FloatArray; dims: number[] }> {
    const out = new Map<string, { data: FloatArray; dims: number[] }>();
    for (const [name, p] of this.namedParameters()) out.set(name, { data: p.data, dims: [...p.dims] });
    return out;
  }

  /**
   * Copies tensors into the parameters by name (converting float32 ↔ float64 as needed). Every
   * mismatch is reported at once by name: missing and unexpected names (unless `strict: false`) and
   * shape differences (always). Throws `E_SHAPE` listing them; loads nothing in that case.
   */
  loadStateDict(tensors: Map<string, TensorLike> | Record<string, TensorLike>, options: { strict?: boolean } = {}): void {
    const given = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
    const params = this.namedParameters();
    const problems: string[] = [];
    for (const [name, p] of params) {
      const t = given.get(name);
      if (t === undefined) {
        if (options.strict !== false) problems.push(`missing ${name} [${p.dims.join(', ')}]`);
      } else if (t.dims.length !== p.dims.length || t.dims.some((d, i) => d !== p.dims[i])) {
        problems.push(`${name}: checkpoint [${t.dims.join(', ')}] vs model [${p.dims.join(', ')}]`);
      }
    }
    if (options.strict !== false) for (const name of given.keys()) if (!params.has(name)) problems.push(`unexpected ${name}`);
    if (problems.length > 0) fail('E_SHAPE', 'tensors', `names and shapes of the model's parameters (${problems.join('; ')})`);
    for (const [name, p] of params) {
      const t = given.get(name);
      if (t !== undefined) p.data.set(t.data);
    }
  }
}
