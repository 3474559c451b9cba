/** Request files (`*.socklab`): the format's nodes, its parser and printer, and its variables. */
export * from './ast';
export * from './framingOption';
export * from './parser';
export * from './printer';
export * from './statements';
export * from './variables';
