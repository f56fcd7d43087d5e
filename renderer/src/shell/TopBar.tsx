// The window's top bar: the app's name, the File menu with the open document's name and its
// unsaved-changes dot, the template gallery, training controls with the engine's status, the
// language switch (English / 日本語) and the light/dark theme toggle. It also hosts the file,
// gallery and help overlays and the code panel (portalled to <body>), since it lives as long
// as the window.
import { createPortal } from 'react-dom';
import { LANGS, type GraphDocument } from '../../../engine/protocol/index.js';
import { CodePanel, CodePanelToggle } from '../code/CodePanel';
import { FileMenu } from '../files/FileMenu';
import { FileOverlays } from '../files/FileOverlays';
import { baseName } from '../files/session';
import { Gallery } from '../gallery/Gallery';
import { openGallery } from '../gallery/galleryStore';
import { NodeHelp } from '../help/NodeHelp';
import { useDocument } from '../state/documentStore';
import { LANGUAGE_NAMES, useI18n } from '../i18n';
import { EngineStatusLight, TrainControls } from './EngineControls';
import type { Theme } from './useTheme';

interface TopBarProps {
  readonly theme: Theme;
  readonly onToggleTheme: () => void;
  /** The editor's document, for the Train button. */
  readonly getDocument: () => GraphDocument | null;
}

function SunIcon() {
  return (
    <svg viewBox="0 0 16 16" aria-hidden="true">
      <circle cx="8" cy="8" r="3" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path
        d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1.1 1.1M11.5 11.5l1.1 1.1M3.4 12.6l1.1-1.1M11.5 4.5l1.1-1.1"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinecap="round"
      />
    </svg>
  );
}

function MoonIcon() {
  return (
    <svg viewBox="0 0 16 16" aria-hidden="true">
      <path
        d="M13.5 9.8A5.5 5.5 0 0 1 6.2 2.5a5.5 5.5 0 1 0 7.3 7.3Z"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      />
    </svg>
  );
}

function Logo() {
  // Three layers of a tiny network: the mark reads as "nodes and edges" at 20 px.
  return (
    <svg className="nw-logo" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M5 7l7 5-7 5M12 12l7-5M12 12l7 5" fill="none" stroke="currentColor" strokeWidth="1.6" opacity="0.55" />
      <circle cx="5" cy="7" r="2.4" fill="currentColor" />
      <circle cx="5" cy="17" r="2.4" fill="currentColor" />
      <circle cx="12" cy="12" r="2.8" fill="currentColor" />
      <circle cx="19" cy="7" r="2.4" fill="currentColor" />
      <circle cx="19" cy="17" r="2.4" fill="currentColor" />
    </svg>
  );
}

/** The open document's file (or graph) name, with a dot while it has unsaved changes. */
function DocumentName() {
  const { t } = useI18n();
  const { document: doc, dirty, path } = useDocument();
  const name = path !== null ? baseName(path) : doc.name === 'Untitled' ? t('files.untitled') : doc.name;
  return (
    <span className="nw-docname" data-testid="document-name" data-dirty={dirty}>
      <span className="nw-docname__text" translate="no" title={path ?? name}>
        {name}
      </span>
      {dirty && <span className="nw-docname__dirty" role="img" aria-label={t('files.dirty')} title={t('files.dirty')} data-testid="dirty-indicator" />}
    </span>
  );
}

export function TopBar({ theme, onToggleTheme, getDocument }: TopBarProps) {
  const { t, lang, setLang } = useI18n();
  const themeLabel = theme === 'dark' ? t('topbar.theme.toLight') : t('topbar.theme.toDark');

  return (
    <header className="nw-topbar">
      <div className="nw-brand">
        <Logo />
        <span className="nw-brand__name">{t('app.name')}</span>
        <span className="nw-brand__tagline">{t('app.tagline')}</span>
        <FileMenu />
        <button type="button" className="nw-button nw-button--quiet" data-testid="gallery-open" title={t('gallery.openHint')} onClick={openGallery}>
          {t('gallery.open')}
        </button>
        <CodePanelToggle />
        <DocumentName />
      </div>
      <div className="nw-topbar__actions">
        <TrainControls getDocument={getDocument} />
        <EngineStatusLight />
        <div className="nw-segmented" role="group" aria-label={t('topbar.language')} data-testid="lang-switch">
          {LANGS.map((code) => (
            <button
              key={code}
              type="button"
              className="nw-segmented__option"
              aria-pressed={lang === code}
              lang={code}
              data-testid={`lang-${code}`}
              onClick={() => setLang(code)}
            >
              {LANGUAGE_NAMES[code]}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="nw-icon-button"
          data-testid="theme-toggle"
          aria-label={themeLabel}
          title={themeLabel}
          onClick={onToggleTheme}
        >
          {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
        </button>
      </div>
      {createPortal(
        <>
          <FileOverlays />
          <Gallery />
          <NodeHelp />
          <CodePanel theme={theme} />
        </>,
        document.body,
      )}
    </header>
  );
}
