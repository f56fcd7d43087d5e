// The code panel (issue #9): the graph on the canvas as TypeScript, the way the engine's
// `export.typescript` writes it (docs/export.md), in a read-only Monaco editor whose theme
// follows the app's. It re-exports when the document changes (debounced), and offers Copy and
// Download. Download, not Save as: the host's PathPolicy lets the renderer write graph files
// only (engine/host/paths.ts, GRAPH_FILES), so the `.ts` file leaves through the browser's own
// download (a Blob and <a download>; Electron shows its save dialog for it).
// Monaco is loaded with a dynamic import the first time the panel opens.
import { useEffect, useRef, useState } from 'react';
import { ChannelError } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { useDocument } from '../state/documentStore';
import type { Theme } from '../shell/useTheme';
import { closeCodePanel, toggleCodePanel, useCodePanelOpen } from './codeStore';
// Types only: the module itself is imported dynamically below.
import type { monaco as Monaco } from './monaco';

type StandaloneEditor = Monaco.editor.IStandaloneCodeEditor;

const EXPORT_DELAY_MS = 250;
const COPIED_MS = 2000;

interface Exported {
  readonly name: string;
  readonly contents: string;
}

/** The top bar's toggle for the panel. */
export function CodePanelToggle() {
  const { t } = useI18n();
  const open = useCodePanelOpen();
  return (
    <button
      type="button"
      className="nw-button nw-button--quiet"
      data-testid="code-toggle"
      aria-pressed={open}
      title={t('code.toggleHint')}
      onClick={toggleCodePanel}
    >
      {t('code.toggle')}
    </button>
  );
}

/** Puts text on the clipboard; falls back to a hidden textarea where the async API is refused. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}

function download(file: Exported): void {
  const url = URL.createObjectURL(new Blob([file.contents], { type: 'text/typescript;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The panel, mounted once by the top bar; renders nothing while closed. */
export function CodePanel({ theme }: { readonly theme: Theme }) {
  const open = useCodePanelOpen();
  return open ? <OpenCodePanel theme={theme} /> : null;
}

function OpenCodePanel({ theme }: { readonly theme: Theme }) {
  const { t, pick } = useI18n();
  const { document: doc } = useDocument();
  const [exported, setExported] = useState<Exported | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<StandaloneEditor | null>(null);
  const monacoRef = useRef<typeof Monaco | null>(null);
  const [ready, setReady] = useState(false);

  // Export the document, a moment after the last edit.
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      getEngine()
        .call('export.typescript', { document: doc })
        .then((result) => {
          if (cancelled) return;
          const file = result.files[0];
          setExported(file ? { name: file.name, contents: file.contents } : null);
          setError(null);
        })
        .catch((reason: unknown) => {
          if (cancelled) return;
          setError(reason instanceof ChannelError && reason.text !== undefined ? pick(reason.text) : reason instanceof Error ? reason.message : String(reason));
        });
    }, EXPORT_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [doc, pick]);

  // Create the editor once Monaco has loaded.
  useEffect(() => {
    let disposed = false;
    import('./monaco')
      .then(({ monaco }) => {
        if (disposed || hostRef.current === null) return;
        monacoRef.current = monaco;
        editorRef.current = monaco.editor.create(hostRef.current, {
          value: '',
          language: 'typescript',
          readOnly: true,
          domReadOnly: true,
          automaticLayout: true,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          fontSize: 12,
          tabSize: 2,
          wordWrap: 'off',
          renderLineHighlight: 'none',
          theme: theme === 'dark' ? 'vs-dark' : 'vs',
        });
        setReady(true);
      })
      .catch(() => {
        if (!disposed) setLoadFailed(true);
      });
    return () => {
      disposed = true;
      editorRef.current?.getModel()?.dispose();
      editorRef.current?.dispose();
      editorRef.current = null;
    };
    // Created once; the theme is applied by its own effect below.
  }, []);

  useEffect(() => {
    monacoRef.current?.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs');
  }, [theme, ready]);

  useEffect(() => {
    const editor = editorRef.current;
    if (editor === null || exported === null) return;
    if (editor.getValue() !== exported.contents) editor.setValue(exported.contents);
  }, [exported, ready]);

  useEffect(() => {
    if (copied === null) return undefined;
    const timer = setTimeout(() => setCopied(null), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = () => {
    if (exported === null) return;
    void copyText(exported.contents).then((ok) => setCopied(ok ? 'copied' : 'failed'));
  };

  return (
    <aside
      className="nw-code"
      data-testid="code-panel"
      aria-label={t('code.title')}
      data-ready={ready && exported !== null}
      // Escape closes the panel while focus is in it (Monaco lets it through when it has no use for it).
      onKeyDown={(event) => {
        if (event.key === 'Escape' && !event.defaultPrevented) closeCodePanel();
      }}
    >
      <header className="nw-code__header">
        <h2 className="nw-code__title">{t('code.title')}</h2>
        {exported !== null && (
          <span className="nw-code__file" translate="no" data-testid="code-file">
            {exported.name}
          </span>
        )}
        <div className="nw-code__actions">
          <button type="button" className="nw-button" data-testid="code-copy" disabled={exported === null} onClick={copy}>
            {copied === 'copied' ? t('code.copied') : copied === 'failed' ? t('code.copyFailed') : t('code.copy')}
          </button>
          <button
            type="button"
            className="nw-button"
            data-testid="code-download"
            disabled={exported === null}
            title={t('code.downloadHint')}
            onClick={() => exported !== null && download(exported)}
          >
            {t('code.download')}
          </button>
          <button type="button" className="nw-icon-button" data-testid="code-close" aria-label={t('code.close')} title={t('code.close')} onClick={closeCodePanel}>
            <svg viewBox="0 0 16 16" aria-hidden="true">
              <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
            </svg>
          </button>
        </div>
      </header>
      {error !== null && (
        <p className="nw-code__error" role="alert" data-testid="code-error">
          {t('code.error')} {error}
        </p>
      )}
      {loadFailed && (
        <p className="nw-code__error" role="alert">
          {t('code.loadFailed')}
        </p>
      )}
      {!ready && !loadFailed && <p className="nw-code__loading">{t('code.loading')}</p>}
      <div className="nw-code__editor" ref={hostRef} data-testid="code-editor" />
    </aside>
  );
}
