// The inspector: details of the selected node. For now it names the node and its catalog
// entry; the parameter form generated from the catalog (DESIGN.md §6) replaces the note.
import { specOf } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';
import type { NetNode } from './nodes/nodeModel';

interface InspectorProps {
  readonly selected: readonly NetNode[];
}

export function Inspector({ selected }: InspectorProps) {
  const { t, pick } = useI18n();
  const only = selected.length === 1 ? selected[0] : undefined;
  const spec = only ? specOf(only.data.type) : undefined;

  return (
    <aside className="nw-inspector" data-testid="inspector" aria-label={t('inspector.title')}>
      <div className="nw-panel-header">
        <h2 className="nw-panel-title">{t('inspector.title')}</h2>
      </div>
      <div className="nw-inspector__body">
        {selected.length === 0 && (
          <div className="nw-inspector__placeholder">
            <svg viewBox="0 0 24 24" aria-hidden="true" className="nw-inspector__placeholder-icon">
              <rect x="3.5" y="5.5" width="7" height="5" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
              <rect x="13.5" y="13.5" width="7" height="5" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
              <path d="M10.5 8h2a2 2 0 0 1 2 2v3.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
            </svg>
            <p>{t('inspector.placeholder')}</p>
          </div>
        )}
        {selected.length > 1 && <p className="nw-inspector__note">{t('inspector.multiple', { count: selected.length })}</p>}
        {only && (
          <div className="nw-inspector__node" data-testid="inspector-node">
            <h3 className="nw-inspector__node-title">{spec ? pick(spec.label) : only.data.type}</h3>
            {spec && <p className="nw-inspector__summary">{pick(spec.summary)}</p>}
            <dl className="nw-inspector__facts">
              <dt>{t('inspector.type')}</dt>
              <dd>
                <code>{only.data.type}</code>
              </dd>
              {spec && (
                <>
                  <dt>{t('inspector.family')}</dt>
                  <dd>
                    <span className="nw-family-dot" data-family={spec.family} aria-hidden="true" />
                    {t(`family.${spec.family}`)}
                  </dd>
                </>
              )}
            </dl>
            <p className="nw-inspector__note">{spec ? t('inspector.paramsSoon') : t('node.unknown')}</p>
          </div>
        )}
      </div>
    </aside>
  );
}
