import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The folder of recouvre's own package.json, where the shipped data (src/data, examples,
 * templates) lives: the compiled code runs from dist/, the tests from src/, so a fixed relative
 * path would be right for only one of them.
 */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('recouvre: package.json not found above the running code');
    dir = parent;
  }
  root = dir;
  return dir;
}
