/** "Open in Wireshark": offered only where a `wireshark` program is on the PATH. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as nodePath from 'path';

/** The path of the `wireshark` program on the PATH, or undefined. */
export function findWireshark(): string | undefined {
  const names = process.platform === 'win32' ? ['Wireshark.exe', 'wireshark.exe'] : ['wireshark'];
  for (const dir of (process.env.PATH ?? '').split(nodePath.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = nodePath.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/** Starts Wireshark on `file` as the user's own program: it keeps running when VS Code closes. */
export function openInWireshark(program: string, file: string): void {
  const child = spawn(program, [file], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}
