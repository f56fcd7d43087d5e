// Every lesson graph the gallery offers must load and validate without errors (issue #6), and
// the curriculum's required lessons must be there. Reads the files as shipped, through Vite's
// glob import (the renderer's tests see no Node APIs, like the renderer itself).
import { describe, expect, it } from 'vitest';
import { loadDocument, validateGraph } from '../../../engine/protocol/index.js';
import { parseLesson, splitDescription } from './lessons';

const SOURCES = import.meta.glob<string>('../../../assets/lessons/*.netwright.json', { query: '?raw', import: 'default', eager: true });
const FILES = Object.keys(SOURCES).map((path) => path.split('/').pop() ?? path);
const read = (name: string): string => SOURCES[`../../../assets/lessons/${name}`] ?? '';

describe('lesson graphs', () => {
  it.each(FILES)('%s loads and validates with no errors', (name) => {
    const loaded = loadDocument(read(name));
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded.document).toBeDefined();
    const errors = validateGraph(loaded.document!).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${d.code}: ${d.message.en}`)).toEqual([]);
  });

  it.each(FILES)('%s has a lesson number and a description in English and Japanese', (name) => {
    const lesson = parseLesson(name, read(name));
    expect(lesson?.number).toBeGreaterThan(0);
    expect(lesson?.description.en).toMatch(/[a-z]/);
    expect(lesson?.description.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    expect(lesson?.description.ja).not.toBe(lesson?.description.en);
  });

  it('are all found', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(16);
  });

  it('cover the lessons issue #6 requires (1, 3, 5, 6, 9, 10, 12)', () => {
    const numbers = new Set(FILES.map((name) => parseLesson(name, read(name))?.number));
    for (const required of [1, 3, 5, 6, 9, 10, 12]) expect(numbers.has(required), `lesson ${required}`).toBe(true);
  });
});

describe('splitDescription', () => {
  it('splits English from the Japanese that follows it', () => {
    expect(splitDescription('Two lines\nof English.\n日本語の説明。')).toEqual({ en: 'Two lines\nof English.', ja: '日本語の説明。' });
  });
  it('uses the whole text for both when there is no Japanese', () => {
    expect(splitDescription('Only English.')).toEqual({ en: 'Only English.', ja: 'Only English.' });
  });
});
