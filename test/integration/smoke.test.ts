import * as assert from 'assert';
import * as vscode from 'vscode';

describe('extension host smoke', () => {
  it('runs in a real VS Code', () => {
    assert.ok(vscode.version.startsWith('1.'));
  });
});
