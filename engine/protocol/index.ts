// Public surface of engine/protocol: pure code shared by the engine, the renderer and app/.
// It imports no platform (no Node, DOM or Electron) — enforced by lint (eslint.config.js).

export * from './text.js';
export * from './shape.js';
export * from './catalog/types.js';
export * from './catalog/index.js';
export * from './diagnostics.js';
export * from './document.js';
export * from './migrations.js';
export * from './load.js';
export * from './validate.js';
export * from './host.js';
export * from './frames.js';
export * from './throttle.js';
export * from './messages.js';
export * from './channel.js';
export * from './webContent.js';
