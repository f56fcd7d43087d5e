// The node palette: every catalog entry, grouped by family, filtered by a search box. Items are
// dragged onto the canvas (HTML5 drag carrying NODE_DRAG_TYPE), or added with Enter so the
// palette also works from the keyboard.
import { useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { CATALOG, FAMILIES, type NodeSpec } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';
import { NODE_DRAG_TYPE } from './dnd';
import { groupCatalog } from './paletteFilter';

interface PaletteProps {
  /** Adds a node of this type where the user is looking (keyboard path). */
  readonly onAdd: (type: string) => void;
}

function onDragStart(event: DragEvent<HTMLElement>, type: string) {
  event.dataTransfer.setData(NODE_DRAG_TYPE, type);
  event.dataTransfer.effectAllowed = 'copy';
}

export function Palette({ onAdd }: PaletteProps) {
  const { t, pick } = useI18n();
  const [query, setQuery] = useState('');
  const groups = useMemo(() => groupCatalog(CATALOG, FAMILIES, query), [query]);

  const onItemKey = (event: KeyboardEvent<HTMLElement>, spec: NodeSpec) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onAdd(spec.type);
    }
  };

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') setQuery('');
  };

  return (
    <aside className="nw-palette" data-testid="palette" aria-label={t('palette.title')}>
      <div className="nw-panel-header">
        <h2 className="nw-panel-title">{t('palette.title')}</h2>
      </div>
      <div className="nw-search">
        <svg className="nw-search__icon" viewBox="0 0 16 16" aria-hidden="true">
          <circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M10.5 10.5 14 14" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
        <input
          className="nw-search__input"
          data-testid="palette-search"
          type="search"
          value={query}
          placeholder={t('palette.search.placeholder')}
          aria-label={t('palette.search.label')}
          spellCheck={false}
          autoComplete="off"
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onSearchKey}
        />
      </div>
      <div className="nw-palette__list">
        {groups.map(({ family, specs }) => (
          <section key={family} className="nw-palette__group" data-testid={`palette-family-${family}`}>
            <h3 className="nw-palette__heading" data-family={family}>
              <span className="nw-family-dot" data-family={family} aria-hidden="true" />
              <span className="nw-palette__heading-text">{t(`family.${family}`)}</span>
              <span className="nw-palette__count">{specs.length}</span>
            </h3>
            <ul className="nw-palette__items">
              {specs.map((spec) => (
                <li
                  key={spec.type}
                  className="nw-palette__item"
                  data-testid={`palette-item-${spec.type}`}
                  data-family={spec.family}
                  draggable
                  tabIndex={0}
                  role="button"
                  title={`${pick(spec.summary)}\n${t('palette.item.hint')}`}
                  onDragStart={(event) => onDragStart(event, spec.type)}
                  onKeyDown={(event) => onItemKey(event, spec)}
                >
                  <span className="nw-palette__item-label">{pick(spec.label)}</span>
                  <span className="nw-palette__item-summary">{pick(spec.summary)}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
        {groups.length === 0 && (
          <p className="nw-palette__empty" data-testid="palette-empty">
            {CATALOG.length === 0 ? t('palette.empty.catalog') : t('palette.empty.search', { query: query.trim() })}
          </p>
        )}
      </div>
    </aside>
  );
}
