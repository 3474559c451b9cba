/**
 * Scenarios that run as another user (nobody, or a uid a test picks) cannot always read the checkout: a CI
 * clone often sits in a 0700 temp folder. They run from a folder every user may read: compiled scenarios
 * bundled with the core and its libraries, peer scripts copied.
 */
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Files shared with other users: where each one is, and how to remove them all. */
export interface SharedFiles {
  /** The shared copy of `file` (one of those given). */
  at(file: string): string;
  remove(): void;
}

/** Copies `files` into a new folder every user may read (a compiled .js is bundled with what it requires). */
export function shareWithOtherUsers(files: readonly string[]): SharedFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-shared-'));
  fs.chmodSync(dir, 0o755);
  const at = (file: string) => path.join(dir, path.basename(file));
  for (const file of files) {
    if (file.endsWith('.js')) {
      esbuild.buildSync({ entryPoints: [file], bundle: true, platform: 'node', outfile: at(file), logLevel: 'silent' });
    } else {
      fs.copyFileSync(file, at(file));
    }
    fs.chmodSync(at(file), 0o644);
  }
  return { at, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
