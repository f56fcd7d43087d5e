// Pure lookup and formatting of UI strings, kept free of React so it can be unit-tested and
// used outside components. The hooks in ./index.tsx wrap it.
import type { Lang } from '../../../engine/protocol/index.js';
import { en, type MessageKey, type Messages } from './en';
import { ja } from './ja';

export const DICTIONARIES: Readonly<Record<Lang, Messages>> = { en, ja };

/** Values for `{name}` placeholders. */
export type Vars = Readonly<Record<string, string | number>>;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const message = DICTIONARIES[lang][key];
  if (!vars) return message;
  // An unknown placeholder is left visible rather than blanked, so a typo shows in the UI.
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The UI language for a BCP 47 tag such as navigator.language: Japanese for `ja*`, else English. */
export function langFromLocale(locale: string | undefined): Lang {
  return locale?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Each language's name in itself, for the language switch (never translated). */
export const LANGUAGE_NAMES: Readonly<Record<Lang, string>> = { en: 'English', ja: '日本語' };
