// Bilingual text. Every string a user reads — node help, error messages, fix hints —
// exists in English and Japanese from the start (DESIGN.md §6: all UI text goes through i18n).

export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];

export interface Text {
  readonly en: string;
  readonly ja: string;
}

export function text(en: string, ja: string): Text {
  return { en, ja };
}
