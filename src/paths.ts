import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root, whether running from src/ (tsx) or dist/src/ (compiled). */
function findRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '..', '..') : path.resolve(here, '..');
}

export const ROOT = findRoot();
export const VIEWS_DIR = path.join(ROOT, 'views');
export const PUBLIC_DIR = path.join(ROOT, 'public');
export const MIGRATIONS_DIR = path.join(ROOT, 'migrations');
