import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRng } from 'softmax';

/** The repository root, four levels above this file in both bench/src and bench/dist. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Text files of the repository used as the character-LM corpus, in this order. */
export const CORPUS_FILES = ['README.md', 'packages/softmax/README.md', 'LICENSE'];

/**
 * The character-LM text: the repository's README (and package README / LICENSE where present),
 * concatenated. When none is readable (an unusual checkout), a generated corpus of seeded random
 * "sentences" over a 20-word vocabulary. Returns the text and where it came from.
 */
export function corpusText(): { text: string; source: string } {
  const found = CORPUS_FILES.filter((f) => existsSync(ROOT + f));
  const text = found.map((f) => readFileSync(ROOT + f, 'utf8')).join('\n');
  if (text.length >= 4000) return { text, source: `${found.join(' + ')} of the repository (${text.length.toLocaleString('en-US')} characters)` };
  const words = ['the', 'soft', 'max', 'of', 'a', 'row', 'sums', 'to', 'one', 'and', 'every', 'score', 'is', 'shared', 'by', 'four', 'parts', 'quaternion', 'heads', 'attend'];
  const rng = createRng(1);
  const sentences: string[] = [];
  while (sentences.join(' ').length < 20_000) sentences.push(`${Array.from({ length: 4 + rng.nextInt(6) }, () => words[rng.nextInt(words.length)]).join(' ')}.`);
  return { text: sentences.join(' '), source: 'generated: seeded random sentences over a 20-word vocabulary (no repository text found)' };
}
