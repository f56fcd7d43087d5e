// The in-app file chooser for hosts without native dialogs (the web host, `dialogs.native`
// false): browse the host's allowed roots and folders through files.roots/files.list, pick a
// *.netwright.json to open, or a folder and a file name to save as.
import { useEffect, useState } from 'react';
import { FILE_EXTENSION, type FileEntry, type FileRoot } from '../../../engine/protocol/index.js';
import { getHost } from '../host';
import { useI18n } from '../i18n';
import { Dialog } from './Dialog';
import { withExtension, type ChooserRequest } from './session';

const isGraph = (entry: FileEntry) => entry.kind === 'file' && (entry.name.endsWith(FILE_EXTENSION) || entry.name.endsWith('.json'));

/** The folder above `dir`, or null at a root (the chooser never leaves the allowed roots). */
function parentOf(dir: string, roots: readonly FileRoot[]): string | null {
  if (roots.some((root) => root.path === dir)) return null;
  const cut = Math.max(dir.lastIndexOf('/'), dir.lastIndexOf('\\'));
  return cut > 0 ? dir.slice(0, cut) : null;
}

function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

/** The host names its roots in English; the two it has are translated, anything else shown as is. */
function useRootLabel(): (label: string) => string {
  const { t } = useI18n();
  return (label) => (label === 'Documents' ? t('files.root.documents') : label === 'Examples' ? t('files.root.examples') : label);
}

export function FileChooser({ request }: { readonly request: ChooserRequest }) {
  const { t } = useI18n();
  const [roots, setRoots] = useState<readonly FileRoot[]>([]);
  const [dir, setDir] = useState<string | null>(null);
  const [entries, setEntries] = useState<readonly FileEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState(request.defaultName);
  const saving = request.mode === 'save';
  const rootLabel = useRootLabel();

  useEffect(() => {
    let live = true;
    getHost()
      .files.roots()
      .then((found) => {
        if (!live) return;
        setRoots(found);
        // Start where a save can land: the first writable root.
        const start = found.find((root) => root.writable) ?? found[0];
        if (start) setDir(start.path);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (dir === null) return;
    let live = true;
    setEntries(null);
    setError(null);
    getHost()
      .files.list(dir)
      .then((list) => live && setEntries(list.filter((entry) => entry.kind === 'directory' || isGraph(entry))))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [dir]);

  const root = roots
    .filter((r) => dir !== null && (dir === r.path || dir.startsWith(r.path)))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const readOnly = saving && root !== undefined && !root.writable;
  const fileName = withExtension(name);
  const exists = saving && entries?.some((entry) => entry.kind === 'file' && entry.name === fileName);
  const canSave = saving && dir !== null && !readOnly && name.trim() !== '';
  const parent = dir === null ? null : parentOf(dir, roots);

  const submitSave = () => {
    if (canSave && dir !== null) request.resolve(joinPath(dir, fileName));
  };

  return (
    <Dialog
      title={saving ? t('files.chooser.saveTitle') : t('files.chooser.openTitle')}
      onClose={() => request.resolve(null)}
      testId="file-chooser"
      wide
      footer={
        <>
          <button type="button" className="nw-button" onClick={() => request.resolve(null)}>
            {t('files.cancel')}
          </button>
          {saving && (
            <button type="button" className="nw-button nw-button--primary" data-testid="file-chooser-save" disabled={!canSave} onClick={submitSave}>
              {t('files.chooser.save')}
            </button>
          )}
        </>
      }
    >
      <div className="nw-chooser">
        <nav className="nw-chooser__places" aria-label={t('files.chooser.places')}>
          <h3>{t('files.chooser.places')}</h3>
          {roots.map((r) => (
            <button
              key={r.path}
              type="button"
              className="nw-chooser__place"
              aria-current={root?.path === r.path}
              data-testid={`file-root-${r.label}`}
              onClick={() => setDir(r.path)}
            >
              <span aria-hidden="true">{r.writable ? '📁' : '📚'}</span> <span>{rootLabel(r.label)}</span>
              {!r.writable && <span className="nw-chooser__badge">{t('files.chooser.readOnly')}</span>}
            </button>
          ))}
        </nav>
        <div className="nw-chooser__main">
          <div className="nw-chooser__location">
            <button type="button" className="nw-icon-button" disabled={parent === null} aria-label={t('files.chooser.up')} title={t('files.chooser.up')} onClick={() => parent && setDir(parent)}>
              ↑
            </button>
            <span className="nw-chooser__path" data-testid="file-chooser-dir" translate="no" title={dir ?? ''}>
              {dir !== null ? t('files.chooser.folder', { path: dir }) : ''}
            </span>
          </div>
          <ul className="nw-chooser__list" aria-label={t('files.chooser.files')}>
            {error !== null && <li className="nw-chooser__error">{t('files.chooser.error', { message: error })}</li>}
            {error === null && entries === null && <li className="nw-chooser__muted">{t('files.chooser.loading')}</li>}
            {entries?.length === 0 && <li className="nw-chooser__muted">{t('files.chooser.empty')}</li>}
            {entries?.map((entry) => (
              <li key={entry.path}>
                <button
                  type="button"
                  className="nw-chooser__entry"
                  data-testid={`file-entry-${entry.name}`}
                  data-kind={entry.kind}
                  onClick={() => {
                    if (entry.kind === 'directory') setDir(entry.path);
                    else if (saving) setName(entry.name);
                    else request.resolve(entry.path);
                  }}
                  onDoubleClick={() => entry.kind === 'file' && saving && request.resolve(entry.path)}
                >
                  <span aria-hidden="true">{entry.kind === 'directory' ? '📁' : '🧠'}</span> <span translate="no">{entry.name}</span>
                </button>
              </li>
            ))}
          </ul>
          {saving && (
            <form
              className="nw-chooser__name"
              onSubmit={(event) => {
                event.preventDefault();
                submitSave();
              }}
            >
              <label>
                {t('files.chooser.fileName')}
                <input data-autofocus data-testid="file-chooser-name" value={name} onChange={(event) => setName(event.target.value)} spellCheck={false} />
              </label>
              {readOnly && <p className="nw-chooser__warn">{t('files.chooser.readOnlyHint')}</p>}
              {exists && !readOnly && <p className="nw-chooser__warn">{t('files.chooser.overwrite', { name: fileName })}</p>}
            </form>
          )}
        </div>
      </div>
    </Dialog>
  );
}
