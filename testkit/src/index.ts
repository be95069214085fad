export * from './env';
export * from './sse';
export * from './stack';
export * from './widget-client';
export * from './browser';
export * from './channels';
export * from './wait';
export * from './fixtures';
