// Palette search: matches type and both labels, every word, ignoring case and width.
import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../../engine/protocol/index.js';
import { groupCatalog, matchesQuery } from './paletteFilter';

// Only the fields the palette reads; the rest of NodeSpec does not matter here.
function spec(type: string, family: NodeSpec['family'], en: string, ja: string): NodeSpec {
  return { type, family, label: { en, ja }, summary: { en, ja } } as unknown as NodeSpec;
}

const catalog = [
  spec('Conv2D', 'convolution', '2D convolution', '2次元畳み込み'),
  spec('Dense', 'dense', 'Dense (fully connected)', '全結合'),
  spec('ReLU', 'activation', 'ReLU', 'ReLU'),
  spec('MaxPool2D', 'convolution', 'Max pooling', '最大値プーリング'),
];

describe('matchesQuery', () => {
  it('matches type, English and Japanese labels, case-insensitively', () => {
    expect(matchesQuery(catalog[0], 'conv')).toBe(true);
    expect(matchesQuery(catalog[0], 'CONVOLUTION')).toBe(true);
    expect(matchesQuery(catalog[0], '畳み込み')).toBe(true);
    expect(matchesQuery(catalog[1], 'conv')).toBe(false);
  });

  it('needs every word and ignores extra spaces', () => {
    expect(matchesQuery(catalog[1], '  fully   dense ')).toBe(true);
    expect(matchesQuery(catalog[1], 'fully sparse')).toBe(false);
    expect(matchesQuery(catalog[1], '')).toBe(true);
  });

  it('folds full-width input from a Japanese IME', () => {
    expect(matchesQuery(catalog[2], 'ＲＥＬＵ')).toBe(true);
  });
});

describe('groupCatalog', () => {
  it('groups in family order and drops empty families', () => {
    const groups = groupCatalog(catalog, ['input', 'dense', 'activation', 'convolution'], '');
    expect(groups.map((g) => g.family)).toEqual(['dense', 'activation', 'convolution']);
    expect(groups[2].specs.map((s) => s.type)).toEqual(['Conv2D', 'MaxPool2D']);
  });

  it('keeps only matching entries', () => {
    const groups = groupCatalog(catalog, ['dense', 'activation', 'convolution'], 'pool');
    expect(groups).toEqual([{ family: 'convolution', specs: [catalog[3]] }]);
  });
});
