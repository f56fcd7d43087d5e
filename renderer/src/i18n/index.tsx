// The i18n context: the current UI language and a typed `t(key)` for components. All UI text
// goes through here (DESIGN.md §6); catalog text (`Text` = { en, ja }) goes through `pick`.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Lang, Text } from '../../../engine/protocol/index.js';
import type { MessageKey } from './en';
import { langFromLocale, translate, type Vars } from './translate';

export { LANGUAGE_NAMES } from './translate';
export type { MessageKey } from './en';

const STORAGE_KEY = 'netwright.lang';

interface I18n {
  readonly lang: Lang;
  readonly setLang: (lang: Lang) => void;
  readonly t: (key: MessageKey, vars?: Vars) => string;
  /** The current language's side of a bilingual catalog text. */
  readonly pick: (text: Text) => string;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ja') return saved;
  } catch {
    // Storage can be unavailable (privacy settings); fall back to the browser's language.
  }
  return langFromLocale(navigator.language);
}

export function I18nProvider({ children }: { readonly children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisting the choice is harmless.
    }
  }, []);

  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      pick: (text) => text[lang],
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n must be used inside <I18nProvider>');
  return i18n;
}

/** The typed translation function for the current language. */
export function useT(): I18n['t'] {
  return useI18n().t;
}
