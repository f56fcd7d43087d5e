// The top bar's File menu (New, Open…, Save, Save as…, Recent files), its keyboard shortcuts
// (Ctrl/Cmd+N, O, S, Shift+S — not while typing in a field), the window title with its "•"
// for unsaved changes, and the start of autosave for this window.
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { getHost } from '../host';
import { useI18n } from '../i18n';
import { useDocument } from '../state/documentStore';
import { baseName, newDocument, openFile, openPath, save, saveAs, startAutosave, useSession } from './session';

const isMac = () => /mac/i.test(navigator.platform);

/** True when a key press belongs to a text field (the palette search, an inspector field). */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function FileMenu() {
  const { t } = useI18n();
  const { document: doc, dirty, path } = useDocument();
  const { busy } = useSession();
  const [open, setOpen] = useState(false);
  const [recent, setRecent] = useState<readonly string[]>([]);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const mod = isMac() ? '⌘' : 'Ctrl+';

  // Autosave runs for as long as the top bar is mounted: for the life of the window.
  useEffect(() => startAutosave(), []);

  const name = path !== null ? baseName(path) : doc.name;
  useEffect(() => {
    document.title = `${dirty ? '• ' : ''}${name} — Netwright`;
  }, [dirty, name]);

  const actions = {
    new: () => void newDocument(),
    open: () => void openFile(t('files.chooser.openTitle')),
    save: () => void save(t('files.chooser.saveTitle')),
    saveAs: () => void saveAs(t('files.chooser.saveTitle')),
  };
  const latest = useRef(actions);
  latest.current = actions;

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      if (!['n', 'o', 's'].includes(key)) return;
      // The browser's own Save page / Open file / New window would be no use here.
      event.preventDefault();
      if (typing(event.target) || document.querySelector('[aria-modal="true"]') !== null) return;
      if (key === 'n') latest.current.new();
      else if (key === 'o') latest.current.open();
      else if (event.shiftKey) latest.current.saveAs();
      else latest.current.save();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  useEffect(() => {
    if (!open) return;
    let live = true;
    getHost()
      .recent.list()
      .then((paths) => live && setRecent(paths))
      .catch(() => live && setRecent([]));
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!(event.target instanceof Node)) return;
      if (!menu.current?.contains(event.target) && !button.current?.contains(event.target)) setOpen(false);
    };
    window.addEventListener('pointerdown', onPointerDown);
    return () => {
      live = false;
      window.removeEventListener('pointerdown', onPointerDown);
    };
  }, [open]);

  const run = (action: () => void) => {
    setOpen(false);
    action();
  };

  const onMenuKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className="nw-filemenu">
      <button
        ref={button}
        type="button"
        className="nw-button nw-button--quiet"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="nw-file-menu"
        data-testid="file-menu"
        disabled={busy}
        onClick={() => setOpen((was) => !was)}
      >
        {t('files.menu')}
      </button>
      {open && (
        <div ref={menu} id="nw-file-menu" className="nw-menu" role="menu" aria-label={t('files.menu.label')} onKeyDown={onMenuKeyDown}>
          <MenuItem label={t('files.new')} shortcut={`${mod}N`} testId="file-new" onClick={() => run(actions.new)} />
          <MenuItem label={t('files.open')} shortcut={`${mod}O`} testId="file-open" onClick={() => run(actions.open)} />
          <MenuItem label={t('files.save')} shortcut={`${mod}S`} testId="file-save" onClick={() => run(actions.save)} />
          <MenuItem label={t('files.saveAs')} shortcut={`${mod}Shift+S`} testId="file-save-as" onClick={() => run(actions.saveAs)} />
          <div className="nw-menu__separator" role="separator" />
          <div className="nw-menu__heading" id="nw-recent-heading">
            {t('files.recent')}
          </div>
          {recent.length === 0 ? (
            <div className="nw-menu__empty">{t('files.recent.empty')}</div>
          ) : (
            <div role="group" aria-labelledby="nw-recent-heading">
              {recent.slice(0, 8).map((recentPath) => (
                <MenuItem key={recentPath} label={baseName(recentPath)} title={recentPath} userData testId="file-recent" onClick={() => run(() => void openPath(recentPath))} />
              ))}
              <MenuItem
                label={t('files.recent.clear')}
                testId="file-recent-clear"
                onClick={() =>
                  run(() => {
                    void getHost().recent.clear();
                  })
                }
              />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

interface MenuItemProps {
  readonly label: string;
  readonly shortcut?: string;
  readonly title?: string;
  /** A file name rather than UI text: marked translate="no" (also for the i18n scan). */
  readonly userData?: boolean;
  readonly testId: string;
  readonly onClick: () => void;
}

function MenuItem({ label, shortcut, title, userData = false, testId, onClick }: MenuItemProps) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} className="nw-menu__item" title={title} translate={userData ? 'no' : undefined} data-testid={testId} onClick={onClick}>
      <span>{label}</span>
      {shortcut !== undefined && <kbd className="nw-menu__shortcut">{shortcut}</kbd>}
    </button>
  );
}
