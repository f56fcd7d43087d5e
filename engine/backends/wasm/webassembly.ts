// The few WebAssembly JS-API types the backend uses. The engine's tsconfig has no DOM lib and
// @types/node does not declare `WebAssembly`, so they are declared here, locally, instead of
// adding a global declaration every engine file would see.

export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
}

export const WA = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export const PAGE_BYTES = 65536;
