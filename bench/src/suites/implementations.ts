import type { ImplementationInfo } from '../results/result-types.js';
import { packageVersion } from '../harness/versions.js';

/** Names, packages and versions of the implementations of a suite, with the first error seen for each. */
export function describeImplementations(
  names: readonly string[],
  packages: Readonly<Record<string, string>>,
  errors: ReadonlyMap<string, string>,
  details: ReadonlyMap<string, string> = new Map(),
): ImplementationInfo[] {
  return names.map((name) => {
    const info: ImplementationInfo = { name };
    const pkg = packages[name];
    if (pkg !== undefined) {
      info.package = pkg;
      const version = packageVersion(pkg);
      if (version !== undefined) info.version = version;
    }
    const detail = details.get(name);
    if (detail !== undefined) info.details = detail;
    const error = errors.get(name);
    if (error !== undefined) info.error = error;
    return info;
  });
}
