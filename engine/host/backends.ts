// Backend selection by name for the hosts (the CLI's --backend, the engine process): the one
// place that turns 'cpu' | 'wasm' | 'webgpu' | 'reference' into a Backend. WebGPU falls back to
// the CPU backend, with a notice in English and Japanese, where no adapter exists.

import type { Backend } from '../backends/backend.js';
import { ReferenceBackend } from '../backends/reference/reference.js';
import { createWasmBackend, defaultThreads } from '../backends/wasm/index.js';
import { createWebGpuBackend, type WebGpuBackendOptions } from '../backends/webgpu/index.js';

export type BackendChoice = 'cpu' | 'wasm' | 'webgpu' | 'reference';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['cpu', 'wasm', 'webgpu', 'reference'];

export interface BackendSelectOptions {
  /** CPU threads (the wasm backend, and the fallback). Default: defaultThreads(). */
  readonly threads?: number;
  readonly webgpu?: WebGpuBackendOptions;
  /** Tests: stands in for createWebGpuBackend (e.g. to simulate a machine without an adapter). */
  readonly createWebGpu?: (options: WebGpuBackendOptions) => Promise<Backend | null>;
}

/** A user-visible message in both languages the app ships. */
export interface Notice {
  readonly en: string;
  readonly ja: string;
}

export interface SelectedBackend {
  readonly backend: Backend;
  /** Set when the backend is not the one asked for (no WebGPU adapter: running on the CPU). */
  readonly notice?: Notice;
}

export function isBackendChoice(name: string): name is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(name);
}

export const NO_ADAPTER_NOTICE: Notice = {
  en: 'notice: no WebGPU adapter was found on this machine; continuing on the CPU backend.',
  ja: 'お知らせ: この環境では WebGPU アダプターが見つかりません。CPU バックエンドで続けます。',
};

export async function createBackend(name: BackendChoice, options: BackendSelectOptions = {}): Promise<SelectedBackend> {
  const threads = options.threads ?? defaultThreads();
  switch (name) {
    case 'cpu':
    case 'wasm':
      return { backend: await createWasmBackend({ threads }) };
    case 'reference':
      return { backend: new ReferenceBackend() };
    case 'webgpu': {
      const make = options.createWebGpu ?? createWebGpuBackend;
      let gpu: Backend | null;
      let why = '';
      try {
        gpu = await make(options.webgpu ?? {});
      } catch (error) {
        // A driver that offers an adapter and then fails (device creation, a lost device) is
        // treated like no adapter: the user still gets a working run, and the reason.
        gpu = null;
        why = error instanceof Error ? error.message : String(error);
      }
      if (gpu !== null) return { backend: gpu };
      const notice = why === '' ? NO_ADAPTER_NOTICE : { en: `${NO_ADAPTER_NOTICE.en} (${why})`, ja: `${NO_ADAPTER_NOTICE.ja}（${why}）` };
      return { backend: await createWasmBackend({ threads }), notice };
    }
  }
}
