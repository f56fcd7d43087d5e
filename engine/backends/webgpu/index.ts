/// <reference types="@webgpu/types" />
// The WebGPU backend's public surface: only hosts (engine/host) and tests import it.

export { createWebGpuBackend, WebGpuBackend, type WebGpuBackendOptions, type WebGpuStats } from './webgpuBackend.js';
export { SWIFTSHADER_ICD, useSwiftShader } from './device.js';
