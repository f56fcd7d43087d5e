// Node help: a catalog entry explained in the current language — label, summary, explanation,
// the defining formula typeset with KaTeX (bundled locally, fonts included: no CDN under the
// CSP) and every parameter with its help text, default and range. Opened by `openNodeHelp`
// (the palette's and inspector's "?" buttons) or F1 on a selected node.
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useEffect, useMemo } from 'react';
import { specOf, type ParamSpec, type Text } from '../../../engine/protocol/index.js';
import { Dialog } from '../files/Dialog';
import { useI18n } from '../i18n';
import { documentStore } from '../state/documentStore';
import { closeNodeHelp, openNodeHelp, useNodeHelp } from './helpStore';

/** The node type under the canvas's selection, read from React Flow's markup and the store. */
function selectedNodeType(): string | null {
  const element = document.querySelector<HTMLElement>('.react-flow__node.selected');
  if (element === null) return null;
  const id = element.dataset['id'];
  const node = documentStore.document.nodes.find((candidate) => candidate.id === id);
  if (node !== undefined) return node.type;
  // Before the editor syncs the store: the node's own test id carries its type.
  const tagged = element.querySelector<HTMLElement>('[data-node-id][data-testid^="node-"]');
  return tagged?.dataset['testid']?.replace(/^node-/, '') ?? null;
}

/** A parameter's default as the inspector would show it (an enum by its translated label). */
function formatDefault(param: ParamSpec, pick: (text: Text) => string): string {
  if (param.kind === 'enum') {
    const option = param.options.find((candidate) => candidate.value === param.default);
    return option ? pick(option.label) : param.default;
  }
  if (param.kind === 'ints') return `[${param.default.join(', ')}]`;
  return String(param.default);
}

/** The help panel, mounted once; also owns the F1 shortcut. */
export function NodeHelp() {
  const type = useNodeHelp();

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'F1') return;
      // F1 is the browser's own help otherwise.
      event.preventDefault();
      const selected = selectedNodeType();
      if (selected !== null && specOf(selected)) openNodeHelp(selected);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return type === null ? null : <HelpDialog type={type} />;
}

function HelpDialog({ type }: { readonly type: string }) {
  const { t, pick, lang } = useI18n();
  const spec = specOf(type);
  // KaTeX renders our own catalog's TeX (trusted strings shipped with the app, never user
  // input) to HTML markup without scripts; throwOnError: false shows a bad formula in red.
  const formula = useMemo(() => (spec ? katex.renderToString(spec.formula, { throwOnError: false, displayMode: true }) : ''), [spec]);
  if (spec === undefined) return null;
  const label = pick(spec.label);

  return (
    <Dialog
      title={t('help.title', { name: label })}
      onClose={closeNodeHelp}
      testId="node-help"
      footer={
        <button type="button" className="nw-button" onClick={closeNodeHelp} aria-label={t('help.close')}>
          {t('gallery.close')}
        </button>
      }
    >
      <div className="nw-help" lang={lang}>
        <p className="nw-help__type">
          <code>{spec.type}</code>
        </p>
        <p className="nw-help__summary">{pick(spec.summary)}</p>
        <p className="nw-help__explanation">{pick(spec.explanation)}</p>
        <h3 className="nw-help__heading">{t('help.formula')}</h3>
        {/* Trusted markup: KaTeX output for the catalog's own formula (see above). */}
        <div className="nw-help__formula" data-testid="node-help-formula" dangerouslySetInnerHTML={{ __html: formula }} />
        <h3 className="nw-help__heading">{t('help.params')}</h3>
        {spec.params.length === 0 ? (
          <p className="nw-help__muted">{t('help.noParams')}</p>
        ) : (
          <dl className="nw-help__params">
            {spec.params.map((param) => (
              <div key={param.name} className="nw-help__param">
                <dt>
                  {pick(param.label)} <code>{param.name}</code>
                </dt>
                <dd>
                  {pick(param.help)}
                  <span className="nw-help__muted">
                    {' '}
                    {t('help.default', { value: formatDefault(param, pick) })}
                    {'min' in param && 'max' in param && ` · ${t('help.range', { min: param.min, max: param.max })}`}
                  </span>
                </dd>
              </div>
            ))}
          </dl>
        )}
      </div>
    </Dialog>
  );
}
