/** Temporary folders for tests: short names, so that Unix socket paths in them fit the system's limit. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A fresh folder `<parent>/<prefix>XXXXXX` and its remover. */
export function tempDir(prefix = 'sl-', parent = os.tmpdir()): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
