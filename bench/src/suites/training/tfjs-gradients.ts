import { loadTfjs } from '../../peers/tfjs.js';
import type { Tf } from '../../peers/tfjs.js';

let loaded: Promise<Tf> | undefined;

/**
 * TensorFlow.js with its gradient functions registered. tfjs-core's Node bundle ships no gradients
 * (`tf.variableGrads` fails with "gradient function not found"); the `@tensorflow/tfjs` package
 * registers all of them on the same tfjs-core instance, as it does for any tfjs user training a model.
 */
export function loadTfjsForTraining(): Promise<Tf> {
  loaded ??= (async () => {
    const tf = await loadTfjs();
    await import('@tensorflow/tfjs');
    return tf;
  })();
  return loaded;
}
