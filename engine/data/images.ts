// Image folders: one subfolder per class (optionally under train/ and test/), PNG and JPEG
// decoded in pure JS (pngjs, jpeg-js), transparent pixels put on white, resized to one size
// and stored as bytes in planar [C, H, W]. Grayscale vs RGB is chosen from the pixels themselves.

import { basename, extname, join, relative } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetError } from './dataset.js';
import { isDirectory, listFolder, readSource } from './files.js';
import { numberOption, parseSize, stringOption } from './options.js';
import type { RawDataset, RawSplits } from './raw.js';
import type { Reader } from './reader.js';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major RGBA. */
  readonly data: Uint8Array;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
/** Files that operating systems drop into folders; skipped without a notice. */
const JUNK = new Set(['thumbs.db', 'desktop.ini']);
const LAYOUT_HINT = 'Put the images in one subfolder per class, e.g. <folder>/cat/001.png and <folder>/dog/001.jpg.';

/** Decodes PNG or JPEG, chosen by the file's first bytes (not its name). Errors name the file. */
export function decodeImage(bytes: Uint8Array, file: string): RgbaImage {
  const isPng = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg) {
    throw new DatasetError(`${file} is not a PNG or JPEG image (it starts with bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ') || 'nothing: the file is empty'})`, file, 'Remove the file or convert it to PNG.');
  }
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    if (!img.width || !img.height || img.data.length !== img.width * img.height * 4) throw new Error('no image data');
    return { width: img.width, height: img.height, data: img.data };
  } catch (err) {
    throw new DatasetError(
      `cannot decode ${file} as ${isPng ? 'PNG' : 'JPEG'}: ${err instanceof Error ? err.message : String(err)}`,
      file,
      'The file is damaged or cut short: open it in an image viewer, then replace or remove it.',
    );
  }
}

export type ResizeMethod = 'bilinear' | 'nearest';

/**
 * Resizes RGBA to planar RGB bytes of size [3, outH, outW], putting transparent pixels on
 * white. Sample positions use pixel centres (like PyTorch's align_corners=false); bilinear
 * does not low-pass filter, so shrinking by more than 2× can alias (resize such images first).
 * Returns whether every pixel is gray (R = G = B).
 */
export function resizeToPlanarRgb(img: RgbaImage, outH: number, outW: number, method: ResizeMethod, out: Uint8Array): boolean {
  const { width: inW, height: inH, data } = img;
  const plane = outH * outW;
  let gray = true;
  // Composite over white: c·a + 255·(1 − a), in integers.
  const channel = (p: number, c: number) => {
    const a = data[p + 3]!;
    return a === 255 ? data[p + c]! : (data[p + c]! * a + 255 * (255 - a)) / 255;
  };
  const sy = inH / outH;
  const sx = inW / outW;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r: number, g: number, b: number;
      if (method === 'nearest' || (inH === outH && inW === outW)) {
        const yy = Math.min(inH - 1, Math.floor((y + 0.5) * sy));
        const xx = Math.min(inW - 1, Math.floor((x + 0.5) * sx));
        const p = (yy * inW + xx) * 4;
        r = channel(p, 0);
        g = channel(p, 1);
        b = channel(p, 2);
      } else {
        const fy = Math.min(inH - 1, Math.max(0, (y + 0.5) * sy - 0.5));
        const fx = Math.min(inW - 1, Math.max(0, (x + 0.5) * sx - 0.5));
        const y0 = Math.floor(fy);
        const x0 = Math.floor(fx);
        const y1 = Math.min(inH - 1, y0 + 1);
        const x1 = Math.min(inW - 1, x0 + 1);
        const wy = fy - y0;
        const wx = fx - x0;
        const p00 = (y0 * inW + x0) * 4;
        const p01 = (y0 * inW + x1) * 4;
        const p10 = (y1 * inW + x0) * 4;
        const p11 = (y1 * inW + x1) * 4;
        const mix = (c: number) =>
          (channel(p00, c) * (1 - wx) + channel(p01, c) * wx) * (1 - wy) + (channel(p10, c) * (1 - wx) + channel(p11, c) * wx) * wy;
        r = mix(0);
        g = mix(1);
        b = mix(2);
      }
      const i = y * outW + x;
      out[i] = Math.round(r);
      out[plane + i] = Math.round(g);
      out[2 * plane + i] = Math.round(b);
      if (gray && (out[i] !== out[plane + i] || out[i] !== out[2 * plane + i])) gray = false;
    }
  }
  return gray;
}

/** Planar RGB → one luma plane (ITU-R BT.601 weights, as PIL's "L" mode). */
export function rgbToGray(rgb: Uint8Array, plane: number, out: Uint8Array): void {
  for (let i = 0; i < plane; i++) out[i] = Math.round(0.299 * rgb[i]! + 0.587 * rgb[plane + i]! + 0.114 * rgb[2 * plane + i]!);
}

interface ClassFolder {
  readonly name: string;
  readonly files: readonly string[];
}

/** The class folders of one split and their image files, sorted by name. */
async function scanSplit(root: string, log: (m: string) => void): Promise<ClassFolder[]> {
  const entries = await listFolder(root);
  const classes: ClassFolder[] = [];
  const skipped: string[] = [];
  for (const e of entries.filter((e) => e.isDir && !e.name.startsWith('.'))) {
    const dir = join(root, e.name);
    const files: string[] = [];
    for (const f of await listFolder(dir)) {
      if (f.name.startsWith('.') || JUNK.has(f.name.toLowerCase())) continue;
      if (f.isFile && IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase())) files.push(join(dir, f.name));
      else skipped.push(join(dir, f.name));
    }
    if (!files.length) {
      throw new DatasetError(`the class folder ${dir} has no PNG or JPEG images`, dir, `Add images to it or remove it. ${LAYOUT_HINT}`);
    }
    classes.push({ name: e.name, files });
  }
  if (!classes.length) {
    const loose = entries.some((e) => e.isFile && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()));
    throw new DatasetError(
      loose ? `${root} holds images but no class folders` : `${root} has no class folders with images`,
      root,
      LAYOUT_HINT,
    );
  }
  if (skipped.length) {
    log(`images: skipped ${skipped.length} file(s) that are not .png/.jpg/.jpeg or are folders, e.g. ${relative(root, skipped[0]!)}`);
  }
  return classes;
}

interface ImagePlan {
  readonly root: string;
  readonly train: readonly ClassFolder[];
  readonly test?: readonly ClassFolder[];
}

/** Finds the layout: <root>/<class>/… or <root>/train/<class>/… + <root>/test/<class>/…. */
export async function scanImageFolder(root: string, log: (m: string) => void = () => undefined): Promise<ImagePlan> {
  if (!(await isDirectory(root))) {
    throw new DatasetError(`image folder not found: ${root} does not exist or is not a folder`, root, `Check the dataset path. ${LAYOUT_HINT}`);
  }
  const names = (await listFolder(root)).filter((e) => e.isDir).map((e) => e.name);
  if (names.includes('train') && names.includes('test')) {
    const train = await scanSplit(join(root, 'train'), log);
    const test = await scanSplit(join(root, 'test'), log);
    const known = new Set(train.map((c) => c.name));
    const stray = test.find((c) => !known.has(c.name));
    if (stray) throw new DatasetError(`${join(root, 'test', stray.name)} is a class the training folder does not have`, join(root, 'test', stray.name), 'Test classes must also exist under train/.');
    return { root, train, test };
  }
  return { root, train: await scanSplit(root, log) };
}

interface Decoded {
  readonly rgb: Uint8Array[];
  readonly labels: number[];
  gray: boolean;
}

/** Decodes every image of a split to planar RGB at size [h, w]; a few reads in flight at once. */
async function decodeSplit(folders: readonly ClassFolder[], classIndex: ReadonlyMap<string, number>, size: { h: number; w: number } | undefined, method: ResizeMethod): Promise<{ decoded: Decoded; size: { h: number; w: number } }> {
  const jobs = folders.flatMap((c) => c.files.map((file) => ({ file, label: classIndex.get(c.name)! })));
  const decoded: Decoded = { rgb: [], labels: [], gray: true };
  let target = size;
  const inFlight = 8;
  for (let i = 0; i < jobs.length; i += inFlight) {
    const chunk = jobs.slice(i, i + inFlight);
    const bytes = await Promise.all(chunk.map((j) => readSource(j.file)));
    chunk.forEach((job, k) => {
      const img = decodeImage(bytes[k]!, job.file);
      target ??= { h: img.height, w: img.width };
      const rgb = new Uint8Array(3 * target.h * target.w);
      if (!resizeToPlanarRgb(img, target.h, target.w, method, rgb)) decoded.gray = false;
      decoded.rgb.push(rgb);
      decoded.labels.push(job.label);
    });
  }
  return { decoded, size: target! };
}

function pack(name: string, d: Decoded, channels: number, size: { h: number; w: number }, classes: readonly string[]): RawDataset {
  const plane = size.h * size.w;
  const per = channels * plane;
  const x = new Uint8Array(d.rgb.length * per);
  d.rgb.forEach((rgb, i) => {
    if (channels === 3) x.set(rgb, i * per);
    else rgbToGray(rgb, plane, x.subarray(i * per, (i + 1) * per));
  });
  return { name, inputShape: [channels, size.h, size.w], size: d.rgb.length, x, task: 'classification', y: Int32Array.from(d.labels), classes };
}

export const readImages: Reader = async ({ path, options, log }) => {
  if (!path) throw new DatasetError('dataset "images" needs a path: the folder with one subfolder per class', undefined, LAYOUT_HINT);
  const plan = await scanImageFolder(path, log);
  const sizeOption = options.size;
  const fixed = sizeOption === undefined ? undefined : parseSize(sizeOption, 'dataset "images", option "size"');
  const method = (stringOption(options, 'resize') ?? 'bilinear') as ResizeMethod;
  const channelOption = numberOption(options, 'channels');
  if (channelOption !== undefined && channelOption !== 1 && channelOption !== 3) {
    throw new DatasetError(`dataset "images", option "channels": expected 1 or 3, got ${channelOption}`, undefined, 'Use 1 for grayscale or 3 for RGB.');
  }
  const classes = plan.train.map((c) => c.name);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  return {
    files: [...plan.train, ...(plan.test ?? [])].flatMap((c) => c.files),
    version: 1,
    async read(): Promise<RawSplits> {
      const train = await decodeSplit(plan.train, classIndex, fixed ? { h: fixed[0], w: fixed[1] } : undefined, method);
      const test = plan.test ? await decodeSplit(plan.test, classIndex, train.size, method) : undefined;
      const channels = channelOption ?? (train.decoded.gray && (test?.decoded.gray ?? true) ? 1 : 3);
      const name = basename(plan.root);
      const trainSet = pack(test ? `${name} (train)` : name, train.decoded, channels, train.size, classes);
      return test ? { train: trainSet, test: pack(`${name} (test)`, test.decoded, channels, train.size, classes) } : { train: trainSet };
    },
  };
};
