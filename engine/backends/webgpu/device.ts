// Getting a GPUDevice in Node: the `webgpu` package (Dawn), loaded lazily so that a build
// without it still runs (on the CPU). On a machine without a GPU Dawn can run on SwiftShader,
// Chromium's Vulkan CPU driver; we point the Vulkan loader at it when nothing else is there.

import { existsSync } from 'node:fs';

/** Where Debian's `chromium` package puts SwiftShader's Vulkan ICD (DESIGN.md §4). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface DeviceOptions {
  /**
   * 'auto' (default): when no adapter is found, VK_ICD_FILENAMES is unset and the SwiftShader
   * ICD exists, set VK_ICD_FILENAMES to it and ask again, with a fresh Dawn instance (the
   * Vulkan loader reads the variable when an instance is created), so tests and the CLI need no
   * environment. A hardware driver, when there is one, is found by the first attempt. Mesa's
   * lavapipe, which Debian installs with libvulkan1, is no substitute: Dawn rejects it (it lacks
   * shaderUniformArrayDynamicIndexing). 'off': never touch the environment.
   */
  readonly swiftshader?: 'auto' | 'off';
  readonly powerPreference?: 'low-power' | 'high-performance';
}

export interface AcquiredDevice {
  /** Kept so the instance outlives the device (Dawn ties them together). */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  /** Vendor, architecture or description of the adapter, for notices and logs. */
  readonly description: string;
}

/** Sets VK_ICD_FILENAMES to SwiftShader when it is unset and the ICD file exists. */
export function useSwiftShader(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['VK_ICD_FILENAMES'] !== undefined || !existsSync(SWIFTSHADER_ICD)) return false;
  env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
  return true;
}

interface WebGpuModule {
  create(options: string[]): GPU;
}

/** A device with the adapter's largest buffer limits, or null when there is no adapter. */
export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice | null> {
  let mod: WebGpuModule;
  try {
    mod = (await import('webgpu')) as WebGpuModule;
  } catch {
    return null; // the optional `webgpu` package is not installed
  }
  const request = options.powerPreference ? { powerPreference: options.powerPreference } : undefined;
  let gpu = mod.create([]);
  let adapter = await gpu.requestAdapter(request);
  if (adapter === null && (options.swiftshader ?? 'auto') === 'auto' && useSwiftShader()) {
    gpu = mod.create([]);
    adapter = await gpu.requestAdapter(request);
  }
  if (adapter === null) return null;
  const { limits } = adapter;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: limits.maxBufferSize,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    },
  });
  const info = adapter.info;
  const description = [info.vendor, info.architecture, info.description].filter((s) => s !== '').join(' ') || 'unknown adapter';
  return { gpu, device, description };
}
