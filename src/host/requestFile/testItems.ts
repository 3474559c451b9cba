/**
 * The Testing view's items of request files: a file is an item, each block a child with its range (so
 * the editor shows ▶ in the gutter). Items are rebuilt from the open document's text as it is edited, and
 * from the file on disk otherwise; a block keeps its id while it keeps its title.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { RequestBlock } from '../../shared/requestFile/ast';
import { parseRequestFile } from '../../shared/requestFile/parser';
import { openDocument } from './documents';

/** What a block item stands for. */
export interface BlockItemData {
  uri: vscode.Uri;
  /** The block's key in its file (see blockKeys). */
  key: string;
}

/**
 * A key per block that survives edits elsewhere in the file: its title when no other block has it, else
 * its `###` line (an untitled or repeated title moves with the lines above it).
 */
export function blockKeys(blocks: readonly Pick<RequestBlock, 'title' | 'line'>[]): string[] {
  const count = new Map<string, number>();
  for (const b of blocks) if (b.title) count.set(b.title, (count.get(b.title) ?? 0) + 1);
  return blocks.map((b) => (b.title && count.get(b.title) === 1 ? `title:${b.title}` : `line:${b.line}`));
}

/** The name a block goes by: its title, or "block at line N". */
export function blockLabel(block: Pick<RequestBlock, 'title' | 'line'>): string {
  return block.title || vscode.l10n.t('block at line {0}', block.line);
}

/** Builds and updates the items of one controller. */
export class RequestFileItems {
  /** Block items and what they stand for (items are dropped with their file, so a WeakMap keeps nothing alive). */
  private readonly _blocks = new WeakMap<vscode.TestItem, BlockItemData>();

  constructor(private readonly controller: vscode.TestController) {}

  /** The item of a file (created, without children, when it is new). */
  fileItem(uri: vscode.Uri): vscode.TestItem {
    const id = uri.toString();
    const existing = this.controller.items.get(id);
    if (existing) return existing;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const label = folder ? path.posix.relative(folder.uri.path, uri.path) : path.posix.basename(uri.path);
    const item = this.controller.createTestItem(id, label, uri);
    this.controller.items.add(item);
    return item;
  }

  /** What a block item stands for; undefined for a file item. */
  blockOf(item: vscode.TestItem): BlockItemData | undefined {
    return this._blocks.get(item);
  }

  /** Rebuilds a file's children from `text`; returns the file item and its blocks with their items, in file order. */
  update(
    uri: vscode.Uri,
    text: string,
  ): { file: vscode.TestItem; blocks: { block: RequestBlock; item: vscode.TestItem }[] } {
    const file = this.fileItem(uri);
    const { blocks } = parseRequestFile(text).file;
    const keys = blockKeys(blocks);
    const doc = openDocument(uri);
    const entries = blocks.map((block, i) => {
      const id = `${uri.toString()}#${keys[i]}`;
      const item = file.children.get(id) ?? this.controller.createTestItem(id, blockLabel(block), uri);
      item.label = blockLabel(block);
      const endLine = Math.max(block.line, block.endLine) - 1;
      const endCharacter = doc && endLine < doc.lineCount ? doc.lineAt(endLine).text.length : 0;
      item.range = new vscode.Range(block.line - 1, 0, endLine, endCharacter);
      // Keep the file order in the view (the default sort is by label).
      item.sortText = String(i).padStart(6, '0');
      this._blocks.set(item, { uri, key: keys[i] });
      return { block, item };
    });
    file.children.replace(entries.map((e) => e.item));
    file.error = undefined;
    return { file, blocks: entries };
  }

  /** Shows why a file could not be read, on its item. */
  markUnreadable(uri: vscode.Uri, message: string): void {
    const file = this.fileItem(uri);
    file.children.replace([]);
    file.error = message;
  }

  /** Forgets a deleted file. */
  remove(uri: vscode.Uri): void {
    this.controller.items.delete(uri.toString());
  }
}
