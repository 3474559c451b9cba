/** The request-file runner and its helpers: plain Node, shared by the extension and the CLI. */
export * from './diagnose';
export * from './environment';
export * from './load';
export * from './runner';
export * from './command';
export * from './sendLine';
