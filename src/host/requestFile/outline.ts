/** The outline of a request file: its blocks as symbols (Outline view, breadcrumbs, Go to Symbol) and as folding ranges. */
import * as vscode from 'vscode';
import { parseRequestFile } from '../../shared/requestFile/parser';
import { blockLabel } from './testItems';

/** Symbols and folding ranges of request files. */
export class RequestFileOutline implements vscode.DocumentSymbolProvider, vscode.FoldingRangeProvider {
  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const { prelude, blocks } = parseRequestFile(doc.getText()).file;
    const lineRange = (line: number) => doc.lineAt(Math.min(line - 1, doc.lineCount - 1)).range;
    const variables = prelude.map(
      (v) =>
        new vscode.DocumentSymbol(
          `@${v.name}`,
          v.value,
          vscode.SymbolKind.Variable,
          lineRange(v.line),
          lineRange(v.line),
        ),
    );
    const symbols = blocks.map((b) => {
      const range = lineRange(b.line).union(lineRange(Math.max(b.line, b.endLine)));
      const symbol = new vscode.DocumentSymbol(blockLabel(b), '', vscode.SymbolKind.Function, range, lineRange(b.line));
      for (const s of b.statements) {
        if (s.kind !== 'connect') continue;
        const at = lineRange(s.line);
        symbol.children.push(
          new vscode.DocumentSymbol(`connect ${s.transport}`, s.target, vscode.SymbolKind.Event, at, at),
        );
      }
      return symbol;
    });
    return [...variables, ...symbols];
  }

  provideFoldingRanges(doc: vscode.TextDocument): vscode.FoldingRange[] {
    return parseRequestFile(doc.getText())
      .file.blocks.filter((b) => b.endLine > b.line)
      .map((b) => new vscode.FoldingRange(b.line - 1, b.endLine - 1, vscode.FoldingRangeKind.Region));
  }
}
