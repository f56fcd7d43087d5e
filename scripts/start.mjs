// `npm start`: builds what is stale, then runs Netwright in Electron — or, where Electron's
// binary is missing and cannot be fetched (no network, DESIGN.md §9), in the web host with the
// URL to open in a browser. `--web` goes straight to the web host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['app', 'engine', 'renderer'];
const SOURCE_FILES = ['package.json', 'electron.config.ts', 'tsconfig.base.json'];
const OUTPUTS = ['dist/engine/host/webHostMain.js', 'dist/engine/host/engineMain.js', 'out/main/main.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];
const WEB_HOST = join(ROOT, 'dist/engine/host/webHostMain.js');
const DOWNLOAD_TIMEOUT_MS = 60_000;

const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const passThrough = args.filter((arg) => arg !== '--web');

/** Newest modification time under `dir`, skipping node_modules and dot-folders. */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function needsBuild() {
  const outputs = OUTPUTS.map((path) => join(ROOT, path));
  if (outputs.some((path) => !existsSync(path))) return true;
  const oldestOutput = Math.min(...outputs.map((path) => statSync(path).mtimeMs));
  const newestSource = Math.max(
    ...SOURCE_DIRS.map((dir) => newestMtime(join(ROOT, dir))),
    ...SOURCE_FILES.map((file) => (existsSync(join(ROOT, file)) ? statSync(join(ROOT, file)).mtimeMs : 0)),
  );
  return newestSource > oldestOutput;
}

function build() {
  // Build output goes to stderr: stdout carries only the line with the URL, which scripts and
  // the e2e fixture read.
  console.error('netwright: sources changed since the last build; building…');
  const npmCli = process.env.npm_execpath;
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, 'run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] })
    : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error('netwright: the build failed (see above).');
    process.exit(result.status ?? 1);
  }
}

/** Electron's package directory, found without loading its index.js (which would download). */
function electronDir() {
  try {
    return dirname(createRequire(join(ROOT, 'package.json')).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The Electron executable if installed, by the same logic as electron/index.js. */
function electronBinary() {
  const dir = electronDir();
  if (!dir) return undefined;
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

/** One try at Electron's own installer, without the switches that tell it to skip. */
function downloadElectron() {
  const dir = electronDir();
  if (!dir || !existsSync(join(dir, 'install.js'))) return false;
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(ELECTRON_SKIP_BINARY_DOWNLOAD|npm_config_electron_skip_binary_download)$/i.test(name)) delete env[name];
  }
  console.error('netwright: Electron is not installed yet; trying to download it once…');
  const result = spawnSync(process.execPath, [join(dir, 'install.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 2, 2],
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  return result.status === 0;
}

/** Runs a child to completion, passing our signals on, and exits with its status. */
function runForwarding(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    console.error(`netwright: could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function startWebHost(note) {
  if (note) console.log(note);
  runForwarding(process.execPath, [WEB_HOST, ...passThrough]);
}

/** Linux without a display server (a remote GPU box, a container) cannot show a window. */
function hasDisplay() {
  return process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

if (needsBuild()) build();

if (forceWeb) {
  startWebHost();
} else {
  let binary = electronBinary();
  if (!binary && hasDisplay() && process.env.NETWRIGHT_NO_ELECTRON_DOWNLOAD !== '1' && downloadElectron()) {
    binary = electronBinary();
  }
  if (!binary) {
    startWebHost(
      "Electron's binary is not installed (no network?) — starting the web host instead; open this URL in a browser:",
    );
  } else if (!hasDisplay()) {
    startWebHost('No display found (DISPLAY and WAYLAND_DISPLAY are unset) — starting the web host instead; open this URL in a browser:');
  } else {
    runForwarding(binary, [ROOT, ...passThrough]);
  }
}
