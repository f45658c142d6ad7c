import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The installed version of a package, for the report. Walks up from the resolved entry point because
 * some packages (transformers.js) do not export their package.json.
 */
export function packageVersion(name: string): string | undefined {
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version;
      } catch {
        // no package.json at this level
      }
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  } catch {
    return undefined;
  }
}
