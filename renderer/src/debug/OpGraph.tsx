// A node expanded into its op-level computational graph, drawn as the notes draw one: ops as
// circles left to right, each arrow with its forward value above and its backward gradient below
// (for the sample the canvas shows). Operands from outside the chain — parameters such as W and
// b, constants, a second input — come in from above their op. Also the chain-rule view.
import { createPortal } from 'react-dom';
import { useEffect, useState } from 'react';
import { fromWireTensor, type WireTensor } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';
import { chainRuleOf } from './chainRule';
import { closeOpGraph, fetchOps, sampleOf, useDebug, type OpView } from './debugStore';
import { formatNumber, formatValues } from './format';

type Op = OpView['ops'][number];
type OpTensor = Op['output'];

/** The op's symbol as the notes write it: 'scale' α=1 β=1 is "+1", 'reciprocal' is "1/x". */
export function opSymbol(op: Pick<Op, 'name' | 'attrs'>): string {
  const alpha = typeof op.attrs['alpha'] === 'number' ? op.attrs['alpha'] : 1;
  const beta = typeof op.attrs['beta'] === 'number' ? op.attrs['beta'] : 0;
  switch (op.name) {
    case 'scale':
      if (alpha === 1) return beta >= 0 ? `+${formatNumber(beta)}` : `−${formatNumber(-beta)}`;
      return beta === 0 ? `×${formatNumber(alpha)}` : `×${formatNumber(alpha)}${beta >= 0 ? '+' : '−'}${formatNumber(Math.abs(beta))}`;
    case 'neg':
      return '×(−1)';
    case 'reciprocal':
      return '1/x';
    case 'add':
      return '+';
    case 'sub':
      return '−';
    case 'mul':
      return '×';
    case 'div':
      return '÷';
    case 'matMul':
      return 'dot';
    default:
      return op.name;
  }
}

/** One sample's values; `sample` null for a parameter (no batch axis: shown whole). */
function sampleText(t: WireTensor | null, sample: number | null): string | null {
  if (t === null) return null;
  return formatValues(sample === null ? fromWireTensor(t) : sampleOf(t, sample), 6);
}

function Arrow({ tensor, sample, label }: { readonly tensor: OpTensor; readonly sample: number; readonly label?: string }) {
  const { t } = useI18n();
  const isParam = tensor.param !== undefined;
  const forward = sampleText(tensor.value, isParam ? null : sample);
  const grad = sampleText(tensor.grad, isParam ? null : sample);
  const stats = tensor.valueStats;
  return (
    <div className="nw-opgraph__arrow" data-testid="opgraph-edge">
      <span className="nw-opgraph__forward" data-testid="opgraph-forward">
        {label !== undefined && <b>{label} </b>}
        {forward ?? (stats !== null ? t('debug.meanStd', { mean: formatNumber(stats.mean ?? Number.NaN), std: formatNumber(stats.std ?? Number.NaN) }) : '')}
      </span>
      <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
        <path d="M0 5H96M90 1l6 4-6 4" fill="none" stroke="currentColor" strokeWidth="1.2" vectorEffect="non-scaling-stroke" />
      </svg>
      <span className="nw-opgraph__grad" data-testid="opgraph-grad">
        {grad ?? (tensor.gradStats !== null ? t('debug.meanStd', { mean: formatNumber(tensor.gradStats.mean ?? Number.NaN), std: formatNumber(tensor.gradStats.std ?? Number.NaN) }) : '')}
      </span>
    </div>
  );
}

export function OpGraph() {
  const { t } = useI18n();
  const s = useDebug();
  const nodeId = s.expanded;
  const view = nodeId === null ? undefined : s.ops.get(nodeId);
  // Every step clears the cached op views (values and gradients change): fetch this one again.
  useEffect(() => {
    if (s.active && nodeId !== null && view === undefined && !s.busy && s.error === null) void fetchOps(nodeId);
  }, [s.active, nodeId, view, s.busy, s.error]);
  useEffect(() => {
    if (nodeId === null) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') closeOpGraph();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [nodeId]);
  if (!s.active || nodeId === null || view === undefined) return null;
  const inSpan = new Set(view.ops.map((op) => op.index));
  return createPortal(
    <section className="nw-opgraph" role="dialog" aria-label={t('debug.opGraph.title', { node: nodeId })} data-testid="debug-opgraph" data-node-id={nodeId}>
      <header className="nw-opgraph__header">
        <h2>{t('debug.opGraph.title', { node: nodeId })}</h2>
        <span className="nw-opgraph__legend">{t('debug.opGraph.legend')}</span>
        <button type="button" className="nw-icon-button" data-testid="opgraph-close" aria-label={t('debug.opGraph.close')} title={t('debug.opGraph.close')} onClick={closeOpGraph}>
          ×
        </button>
      </header>
      {view.ops.length === 0 ? (
        <p className="nw-opgraph__empty">{t('debug.opGraph.empty')}</p>
      ) : (
        <div className="nw-opgraph__row">
          {view.ops.map((op, k) => {
            // The chain operand: the one the previous op produced (or, for the first op, the node's input).
            const chainIndex = k === 0 ? op.inputs.findIndex((x) => x.param === undefined) : op.inputs.findIndex((x) => x.producer !== null && inSpan.has(x.producer.op));
            const side = op.inputs.filter((_, j) => j !== chainIndex);
            const chain = op.inputs[chainIndex];
            const fromEarlier = chain !== undefined && k > 0 && chain.producer?.op !== view.ops[k - 1]!.index;
            return (
              <div className="nw-opgraph__step" key={op.index}>
                {chain !== undefined && (!fromEarlier || k === 0) && <Arrow tensor={chain} sample={s.sample} {...(k === 0 ? { label: 'x' } : {})} />}
                <div className="nw-opgraph__op-column">
                  {side.map((x, j) => (
                    <div className="nw-opgraph__side" key={j}>
                      <Arrow tensor={x} sample={s.sample} label={x.param ?? (x.producer !== null && inSpan.has(x.producer.op) ? `#${x.producer.op}` : (x.producer?.nodeId ?? t('debug.opGraph.constant')))} />
                    </div>
                  ))}
                  <div className="nw-opgraph__op" data-testid="opgraph-op" data-op={op.name} title={op.name}>
                    {opSymbol(op)}
                  </div>
                </div>
              </div>
            );
          })}
          <div className="nw-opgraph__step">
            <Arrow tensor={view.ops[view.ops.length - 1]!.output} sample={s.sample} label="y" />
          </div>
        </div>
      )}
      <ChainRuleView view={view} />
    </section>,
    document.body,
  );
}

/** upstream × local = downstream, for one element of the sample shown. */
export function ChainRuleView({ view }: { readonly view: OpView }) {
  const { t } = useI18n();
  const s = useDebug();
  const [element, setElement] = useState(0);
  const chain = chainRuleOf(view, s.sample, element);
  return (
    <div className="nw-chainrule" data-testid="chain-rule">
      <div className="nw-chainrule__head">
        <strong>{t('debug.chain.title')}</strong>
        <label>
          {t('debug.chain.element')}
          <input type="number" min={0} value={element} data-testid="chain-element" onChange={(e) => setElement(Math.max(0, Number(e.target.value) || 0))} />
        </label>
      </div>
      {chain === null ? (
        <p className="nw-chainrule__none">{t('debug.chain.none')}</p>
      ) : chain.kind === 'elementwise' ? (
        <div data-testid="chain-rule-elementwise" data-upstream={chain.upstream} data-local={chain.local} data-downstream={chain.downstream}>
          <p className="nw-chainrule__formula">∂L/∂x = ∂L/∂y × ∂y/∂x</p>
          {chain.factors !== null && chain.factors.length > 1 && (
            <p className="nw-chainrule__factors">
              ∂y/∂x = {chain.factors.map((f) => `${formatNumber(f.local)} (${opSymbol(f.op)})`).join(' × ')} = {formatNumber(chain.local)}
            </p>
          )}
          <p className="nw-chainrule__numbers" data-testid="chain-rule-numbers">
            {formatNumber(chain.upstream)} × {formatNumber(chain.local)} = {formatNumber(chain.upstream * chain.local)}
            <span className="nw-chainrule__engine"> ({t('debug.chain.engine', { value: formatNumber(chain.downstream) })})</span>
          </p>
        </div>
      ) : (
        <div data-testid="chain-rule-dense" data-sum={chain.sum} data-downstream={chain.downstream}>
          <p className="nw-chainrule__formula">∂L/∂x[{element}] = Σₖ ∂L/∂y[k] · W[{element},k]</p>
          <p className="nw-chainrule__numbers" data-testid="chain-rule-numbers">
            {chain.terms
              .slice(0, 8)
              .map((term) => `${formatNumber(term.grad)}·${formatNumber(term.weight)}`)
              .join(' + ')}
            {chain.terms.length > 8 ? ' + …' : ''} = {formatNumber(chain.sum)}
            <span className="nw-chainrule__engine"> ({t('debug.chain.engine', { value: formatNumber(chain.downstream) })})</span>
          </p>
        </div>
      )}
    </div>
  );
}
