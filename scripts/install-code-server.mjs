// Installs the test host (code-server) into .vscode-test/ if it is missing. Safe to run again.
import { ensureCodeServer } from './lib/codeServer.mjs';
console.log(ensureCodeServer());
