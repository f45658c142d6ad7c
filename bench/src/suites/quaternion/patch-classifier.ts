import { autograd, Embedding, Linear, Module, QuaternionRMSNorm, QuaternionTransformerBlock, Variable } from 'softmax';
import type { QuaternionAttentionVariant } from 'softmax';
import { createRng } from 'softmax';

export interface PatchClassifierOptions {
  /** Values per patch (e.g. 7·7 = 49). */
  patchSize: number;
  /** Patches per image (the sequence length, e.g. 16). */
  patches: number;
  classes: number;
  /** Model width, a multiple of 4·heads. */
  dModel: number;
  heads: number;
  layers: number;
  mlpHidden: number;
  variant: QuaternionAttentionVariant;
  seed: number;
}

/**
 * A small quaternion vision-transformer classifier: a real linear patch embedding `[patchSize → dModel]`
 * (read as `[r | i | j | k]` features, like the LM's real token embedding), learned positions,
 * `layers` non-causal `QuaternionTransformerBlock`s with the chosen attention variant, a final
 * `QuaternionRMSNorm`, mean-pooling over the patches and a real linear read-out to class logits.
 * x `[batch, patches, patchSize]` → logits `[batch, classes]`. Deterministic from `seed`.
 */
export class QuaternionPatchClassifier extends Module {
  readonly embed: Linear;
  readonly positions: Embedding;
  readonly blocks: QuaternionTransformerBlock[];
  readonly norm: QuaternionRMSNorm;
  readonly head: Linear;
  private readonly positionIds: Int32Array;

  constructor(readonly config: PatchClassifierOptions) {
    super();
    const rng = createRng(config.seed);
    this.embed = new Linear(config.patchSize, config.dModel, { rng, scheme: 'xavier' });
    this.positions = new Embedding(config.patches, config.dModel, { rng });
    this.blocks = Array.from({ length: config.layers }, () =>
      new QuaternionTransformerBlock(config.dModel, config.heads, { variant: config.variant, causal: false, mlpHidden: config.mlpHidden, rng }));
    this.norm = new QuaternionRMSNorm(config.dModel, 1e-6);
    this.head = new Linear(config.dModel, config.classes, { rng, bias: true });
    this.positionIds = Int32Array.from({ length: config.patches }, (_, i) => i);
  }

  forward(x: Variable): Variable {
    let h = autograd.add(this.embed.forward(x), this.positions.forward(this.positionIds));
    for (const block of this.blocks) h = block.forward(h);
    return this.head.forward(autograd.mean(this.norm.forward(h), { axes: 1 }));
  }
}

/**
 * Cuts row-major square images `[rows, side·side]` into non-overlapping `patch × patch` tiles, in
 * raster order: `[rows, (side/patch)², patch²]`. `side` must be a multiple of `patch`. O(rows·side²).
 */
export function toPatches(images: Float32Array, rows: number, side: number, patch: number): Float32Array {
  if (side % patch !== 0) throw new Error(`toPatches: side ${side} is not a multiple of patch ${patch}`);
  const per = side / patch;
  const out = new Float32Array(rows * side * side);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * side * side;
    for (let py = 0; py < per; py++) {
      for (let px = 0; px < per; px++) {
        for (let y = 0; y < patch; y++) {
          const src = base + (py * patch + y) * side + px * patch;
          for (let xx = 0; xx < patch; xx++) out[o++] = images[src + xx];
        }
      }
    }
  }
  return out;
}
