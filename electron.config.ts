// Build configuration for the three Electron bundles (electron-vite): the main process
// (app/main.ts), the sandboxed preload (app/preload.ts) and the renderer (renderer/). The
// renderer bundle in out/renderer is also what the web host serves to a plain browser.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        // package.json is "type": "module", so the main bundle is ESM: out/main/main.js
        // (package.json "main").
        input: { main: resolve(root, 'app/main.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { preload: resolve(root, 'app/preload.ts') },
        // A sandboxed preload cannot be an ES module (Electron loads it as a classic script
        // with a restricted `require`), so it is CommonJS; `.cjs` keeps Node from reading it
        // as ESM under "type": "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // Source maps stay out of the shipped bundle; the web host would serve them to anyone
      // holding the token, and they double the download for nothing.
      sourcemap: false,
      // electron-vite leaves bundles unminified; the renderer is also fetched by browsers from
      // the web host (possibly over an SSH tunnel), where a third of the size matters.
      minify: true,
      rolldownOptions: {
        input: resolve(root, 'renderer/index.html'),
      },
    },
  },
});
