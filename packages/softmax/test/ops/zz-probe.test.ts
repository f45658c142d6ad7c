import { it } from 'vitest';
import { softmax } from '../../src/index.js';
import { refSoftmax, rng, uniform } from './helpers.js';
it('probe', () => {
  const rand = rng(7);
  for (const alg of ['three-pass', 'two-pass', 'online'] as const) {
    for (const tau of [1, 0.3, 0.7, 2.5]) {
      let worst = 0; let where = '';
      for (let t = 0; t < 300; t++) {
        const n = 1 + Math.floor(rand() * 60);
        const x = Float32Array.from(uniform(rand, n, -40, 40));
        const y = softmax(x, { algorithm: alg, temperature: tau });
        const w = refSoftmax(x, tau);
        for (let i = 0; i < n; i++) if (w[i] >= 1e-30) { const e = Math.abs(y[i] - w[i]) / w[i]; if (e > worst) { worst = e; where = `n=${n} i=${i} w=${w[i]}`; } }
      }
      console.log(alg, tau, worst.toExponential(3), where);
    }
  }
  for (const alg of ['three-pass', 'two-pass', 'online'] as const) {
    let worst = 0;
    for (let t = 0; t < 300; t++) {
      const c = (rand() - 0.5) * 2e6;
      const n = 1 + Math.floor(rand() * 60);
      const x = Float64Array.from(uniform(rand, n, -30, 30).map((d) => c + d));
      const y = softmax(x, { algorithm: alg });
      const w = refSoftmax(x);
      for (let i = 0; i < n; i++) if (w[i] > 1e-300) worst = Math.max(worst, Math.abs(y[i] - w[i]) / w[i]);
    }
    console.log('f64 large', alg, worst.toExponential(3));
  }
  console.log(softmax(new Float32Array([1]), { algorithm: 'online', temperature: 0.5 }), softmax(new Float32Array([19.201391220092773]), { algorithm: 'online', temperature: 0.3 }));
});
