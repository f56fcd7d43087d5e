// The wasm CPU backend's public surface: only hosts (engine/host) and tests import it.

export { createWasmBackend, defaultThreads, WasmBackend, type WasmBackendOptions } from './wasmBackend.js';
