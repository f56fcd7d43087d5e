// The two dictionaries must stay in step: same keys, no empty strings, same placeholders.
// ja.ts's type already enforces the keys; this also catches a cast or a stray `as any`.
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ja } from './ja';
import { langFromLocale, translate } from './translate';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n dictionaries', () => {
  it('have identical keys', () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });

  it.each([
    ['en', en],
    ['ja', ja],
  ] as const)('%s has no empty strings', (_name, dictionary) => {
    const empty = Object.entries(dictionary).filter(([, message]) => message.trim() === '');
    expect(empty).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ja[key]), key).toEqual(placeholders(en[key]));
    }
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'inspector.multiple', { count: 3 })).toBe('3 nodes selected');
    expect(translate('ja', 'inspector.multiple', { count: 3 })).toBe('3 個のノードを選択中');
    expect(translate('en', 'palette.empty.search', {})).toContain('{query}');
  });

  it('picks Japanese for ja locales and English otherwise', () => {
    expect(langFromLocale('ja-JP')).toBe('ja');
    expect(langFromLocale('ja')).toBe('ja');
    expect(langFromLocale('en-US')).toBe('en');
    expect(langFromLocale('de')).toBe('en');
    expect(langFromLocale(undefined)).toBe('en');
  });
});
