// Image folders, with PNG and JPEG files written here: classes from folder names, gray vs RGB,
// resizing (nearest and bilinear), train/test layout, and the errors for a corrupt file, an
// empty folder, a class folder without images and images outside class folders.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { resizeToPlanarRgb } from './images.js';
import { loadDataset } from './load.js';
import { datasetFailure, tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-img-');

type Pixel = (x: number, y: number) => [number, number, number, number?];

function png(w: number, h: number, pixel: Pixel): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b, a = 255] = pixel(x, y);
      img.data.set([r, g, b, a], (y * w + x) * 4);
    }
  return PNG.sync.write(img);
}

function jpg(w: number, h: number, pixel: Pixel): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

function folder(files: Record<string, Buffer | string>): string {
  const root = tmp();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

const gray = (v: number): Pixel => () => [v, v, v];
const load = (path: string, options?: Record<string, string | number | boolean>, log?: (m: string) => void) =>
  loadDataset({ name: 'images', path, options }, { cache: false, log });

describe('image folders', () => {
  it('takes classes from sorted folder names; gray images give one channel', async () => {
    const root = folder({ 'zero/a.png': png(4, 3, gray(0)), 'one/b.png': png(4, 3, gray(255)), 'one/c.PNG': png(4, 3, (x) => [x * 80, x * 80, x * 80]) });
    const s = await load(root);
    expect(s.train.classes).toEqual(['one', 'zero']);
    expect(s.train.inputShape).toEqual([1, 3, 4]);
    expect(s.train.size).toBe(3);
    expect(Array.from(s.train.y)).toEqual([0, 0, 1]);
    expect(Array.from(s.train.x.slice(0, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(s.train.x.slice(12, 16)).map((v) => Math.round(v * 255))).toEqual([0, 80, 160, 240]);
  });

  it('gives three planar channels when any image has colour, and reads JPEG', async () => {
    const root = folder({ 'red/r.png': png(2, 2, () => [255, 0, 0]), 'blue/b.jpg': jpg(8, 8, () => [0, 0, 255]) });
    const s = await load(root, { size: 2 });
    expect(s.train.inputShape).toEqual([3, 2, 2]);
    // Sorted: blue (JPEG, lossy) first, then red.
    const red = s.train.x.subarray(12, 24);
    expect(Array.from(red.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(red.subarray(4, 12))).toEqual(new Array(8).fill(0));
    const blue = s.train.x.subarray(0, 12);
    expect(Math.min(...blue.subarray(8, 12))).toBeGreaterThan(0.95);
    expect(Math.max(...blue.subarray(0, 4))).toBeLessThan(0.05);
  });

  it('forces channels and size by option; puts transparent pixels on white', async () => {
    const root = folder({ 'a/x.png': png(2, 2, () => [255, 0, 0, 0]), 'b/y.png': png(6, 6, () => [0, 255, 0]) });
    const s = await load(root, { channels: 1, size: '3x4' });
    expect(s.train.inputShape).toEqual([1, 3, 4]);
    expect(Array.from(s.train.x.subarray(0, 12))).toEqual(new Array(12).fill(1)); // transparent → white
    expect(Math.round(s.train.x[12]! * 255)).toBe(150); // green luma: 0.587 × 255
  });

  it('resizes with nearest and bilinear (pixel centres)', () => {
    // A 2×2 image: columns 0 and 200 → upscaled to 4 wide.
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 200, 200, 200, 255]) };
    const out = new Uint8Array(3 * 4);
    resizeToPlanarRgb(img, 1, 4, 'nearest', out);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0, 200, 200]);
    resizeToPlanarRgb(img, 1, 4, 'bilinear', out);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 50, 150, 200]);
  });

  it('uses train/ and test/ subfolders as splits with the training classes', async () => {
    const root = folder({ 'train/cat/1.png': png(2, 2, gray(10)), 'train/dog/1.png': png(2, 2, gray(20)), 'test/dog/9.png': png(5, 5, gray(30)) });
    const s = await load(root);
    expect(s.train.size).toBe(2);
    expect(s.test?.size).toBe(1);
    expect(s.test?.inputShape).toEqual([1, 2, 2]); // resized to the training size
    expect(Array.from(s.test!.y)).toEqual([1]);
  });

  it('skips hidden and non-image files with a notice', async () => {
    const root = folder({ 'a/1.png': png(1, 1, gray(0)), 'a/.DS_Store': 'x', 'a/notes.txt': 'hello' });
    const notices: string[] = [];
    const s = await load(root, undefined, (m) => notices.push(m));
    expect(s.train.size).toBe(1);
    expect(notices.join()).toMatch(/skipped 1 file.*notes\.txt/);
  });

  it('names a corrupt or unreadable image file', async () => {
    const good = png(3, 3, gray(0));
    const root = folder({ 'a/ok.png': good, 'a/broken.png': good.subarray(0, 40), 'b/ok.png': good });
    const err = await datasetFailure(load(root));
    expect(err.message).toMatch(new RegExp(`cannot decode ${join(root, 'a', 'broken.png').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as PNG`));
    expect(err.file).toBe(join(root, 'a', 'broken.png'));
    const root2 = folder({ 'a/fake.jpg': 'this is text, not a JPEG' });
    expect((await datasetFailure(load(root2))).message).toMatch(/fake\.jpg is not a PNG or JPEG image \(it starts with bytes 74 68 69 73\)/);
    const root3 = folder({ 'a/bad.jpg': Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(50, 7)]) });
    expect((await datasetFailure(load(root3))).message).toMatch(/cannot decode .*bad\.jpg as JPEG/);
  });

  it('refuses an empty folder, an empty class folder and images outside class folders', async () => {
    const empty = tmp();
    const e1 = await datasetFailure(load(empty));
    expect(e1.message).toBe(`${empty} has no class folders with images`);
    expect(e1.hint).toMatch(/one subfolder per class/);
    const emptyClass = folder({ 'a/1.png': png(1, 1, gray(0)), 'b/readme.txt': 'x' });
    expect((await datasetFailure(load(emptyClass))).message).toBe(`the class folder ${join(emptyClass, 'b')} has no PNG or JPEG images`);
    const loose = folder({ '1.png': png(1, 1, gray(0)) });
    expect((await datasetFailure(load(loose))).message).toMatch(/holds images but no class folders/);
    expect((await datasetFailure(load(join(empty, 'missing')))).message).toMatch(/image folder not found/);
  });
});
