import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusInfo } from './illustration-types.js';

/** Debian's base-files ships the common licence texts on every Debian and Ubuntu system (about 260 KB). */
export const LICENSES_DIR = '/usr/share/common-licenses';

/** The repository root, from this file's place in bench/src (or bench/dist) /suites/training. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function regularFiles(dir: string, extensions?: readonly string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const stat = lstatSync(full);
    // Symbolic links (GPL → GPL-3, …) would repeat a text.
    if (stat.isDirectory()) out.push(...regularFiles(full, extensions));
    else if (stat.isFile() && (extensions === undefined || extensions.some((e) => name.endsWith(e)))) out.push(full);
  }
  return out;
}

export interface Corpus {
  text: string;
  info: CorpusInfo;
}

/**
 * A few hundred KB of English text available offline: the licence texts of /usr/share/common-licenses
 * (regular files, by name), or, where that directory is missing (macOS, Windows), this repository's
 * README files and library sources. Tabs become spaces and line ends `\n`, so the vocabulary does not
 * depend on the platform.
 */
export function loadCorpus(maxCharacters = Infinity): Corpus {
  let files = regularFiles(LICENSES_DIR);
  let source = `${LICENSES_DIR} (Debian/Ubuntu base-files: the common licence texts)`;
  if (files.length === 0) {
    files = [path.join(REPO_ROOT, 'README.md'), path.join(REPO_ROOT, 'bench/README.md'), ...regularFiles(path.join(REPO_ROOT, 'packages/softmax/src'), ['.ts'])];
    source = 'this repository (README files and packages/softmax/src/**/*.ts)';
  }
  const texts: string[] = [];
  const used: string[] = [];
  let bytes = 0;
  let length = 0;
  for (const file of files) {
    if (length >= maxCharacters) break;
    let raw: Buffer;
    try {
      raw = readFileSync(file);
    } catch {
      continue;
    }
    const text = raw.toString('utf8').replace(/\r\n?/g, '\n').replace(/\t/g, '    ');
    texts.push(text);
    used.push(path.relative(file.startsWith(LICENSES_DIR) ? LICENSES_DIR : REPO_ROOT, file));
    bytes += raw.length;
    length += text.length;
  }
  let text = texts.join('\n\n');
  if (text.length > maxCharacters) text = text.slice(0, maxCharacters);
  if (text.length === 0) throw new Error(`no corpus text found in ${LICENSES_DIR} or ${REPO_ROOT}`);
  const vocabulary = new Set(Array.from(text)).size;
  return { text, info: { source, files: used, bytes, characters: text.length, vocabulary } };
}
