// The problems list: a collapsible bar under the canvas with every diagnostic of the current
// graph — those on a node (click to select it) and those on the graph as a whole (no loss,
// training settings out of range) that no node could show.
import { useState } from 'react';
import type { Diagnostic } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';

interface ProblemsBarProps {
  readonly diagnostics: readonly Diagnostic[];
  readonly onReveal: (nodeId: string) => void;
}

export function ProblemsBar({ diagnostics, onReveal }: ProblemsBarProps) {
  const { t, pick } = useI18n();
  const [open, setOpen] = useState(false);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;

  return (
    <section className={`nw-problems${open ? ' is-open' : ''}`} data-testid="problems" aria-label={t('problems.title')}>
      <button type="button" className="nw-problems__toggle" aria-expanded={open} data-testid="problems-toggle" onClick={() => setOpen((o) => !o)}>
        <span className="nw-problems__chevron" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="nw-problems__title">{t('problems.title')}</span>
        <span className="nw-problems__count" data-severity="error" data-testid="problems-errors">
          {t('problems.errors', { count: errors })}
        </span>
        <span className="nw-problems__count" data-severity="warning">
          {t('problems.warnings', { count: warnings })}
        </span>
      </button>
      {open && (
        <ul className="nw-problems__list">
          {diagnostics.length === 0 && <li className="nw-problems__empty">{t('problems.none')}</li>}
          {diagnostics.map((d, i) => (
            <li key={i} className="nw-problems__item" data-severity={d.severity} data-testid="problem">
              <button type="button" className="nw-problems__item-button" disabled={d.nodeId === undefined} onClick={() => d.nodeId !== undefined && onReveal(d.nodeId)} title={pick(d.hint)}>
                <span className="nw-problems__icon" aria-hidden="true">
                  {d.severity === 'error' ? '●' : '▲'}
                </span>
                <span className="nw-problems__message">{pick(d.message)}</span>
                <span className="nw-problems__hint">{pick(d.hint)}</span>
                <code className="nw-problems__code">{d.code}</code>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
