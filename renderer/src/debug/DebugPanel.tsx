// The debug panel, in the inspector's place while debugging: for the selected node (or the one
// stepped last) its output (statistics, histogram, heatmap, numbers), after backward dL/d(output),
// dL/d(input) and dL/d(parameters), the chain rule with numbers, the op-level graph, the gradient
// check (float64 central difference against the analytic gradient, with timings) and the
// optimizer step (ΔW and the new W).
import { useEffect } from 'react';
import { fromWireTensor } from '../../../engine/protocol/index.js';
import { GROUP_NODE_PREFIX } from '../editor/nodes/nodeModel';
import { useI18n } from '../i18n';
import { applyOptimizerStep, checkAllGradients, checkGradients, expandNode, fetchOps, toggleBreakpoint, useDebug, type GradCheck } from './debugStore';
import { formatNumber, formatValues, SMALL_TENSOR } from './format';
import { ChainRuleView, OpGraph } from './OpGraph';
import { TensorView } from './TensorView';

/** Below this relative error a gradient check passes (float64 central differences reach ~1e-9). */
export const GRAD_CHECK_TOLERANCE = 1e-6;

export function DebugPanel({ selected }: { readonly selected: readonly string[] }) {
  const { t } = useI18n();
  const s = useDebug();
  const picked = selected.find((id) => !id.startsWith(GROUP_NODE_PREFIX));
  const nodeId = picked ?? s.current ?? null;
  const type = s.session?.nodes.find((n) => n.nodeId === nodeId)?.type ?? '';
  const outputs = nodeId === null ? undefined : s.forward.get(nodeId);
  const backward = nodeId === null ? undefined : s.backward.get(nodeId);
  const ops = nodeId === null ? undefined : s.ops.get(nodeId);
  const check = nodeId === null ? undefined : s.gradChecks.get(nodeId);
  const updates = s.optimizer?.updates.filter((u) => u.nodeId === nodeId) ?? [];

  // The chain-rule view needs the node's op values once it has run backward.
  useEffect(() => {
    if (nodeId !== null && backward !== undefined && ops === undefined && !s.busy && s.error === null) void fetchOps(nodeId);
  }, [nodeId, backward, ops, s.busy, s.error]);

  return (
    <aside className="nw-inspector nw-debug-panel" aria-label={t('debug.panel.title')} data-testid="debug-panel" data-node-id={nodeId ?? ''}>
      <OpGraph />
      <div className="nw-inspector__body">
        <h2 className="nw-inspector__node-title">
          {t('debug.panel.title')}
          {nodeId !== null && (
            <span className="nw-debug-panel__node" translate="no">
              {' '}
              · {nodeId} ({type})
            </span>
          )}
        </h2>
        {s.session === null ? (
          <p className="nw-inspector__placeholder">{s.busy ? t('debug.starting') : (s.error ?? t('debug.starting'))}</p>
        ) : nodeId === null ? (
          <p className="nw-inspector__placeholder">{t('debug.panel.hint')}</p>
        ) : (
          <>
            <div className="nw-debug-panel__actions">
              <button type="button" className="nw-button nw-button--quiet" data-testid="debug-panel-breakpoint" aria-pressed={s.breakpoints.has(nodeId)} onClick={() => toggleBreakpoint(nodeId)}>
                {s.breakpoints.has(nodeId) ? t('debug.breakpoint.remove') : t('debug.breakpoint.add')}
              </button>
              <button type="button" className="nw-button nw-button--quiet" data-testid="debug-expand" disabled={s.busy || outputs === undefined} title={t('debug.expandHint')} onClick={() => void expandNode(nodeId)}>
                {t('debug.expand')}
              </button>
            </div>

            <section className="nw-debug-panel__section" data-testid="debug-forward">
              <h3>{t('debug.forward')}</h3>
              {outputs === undefined ? (
                <p className="nw-debug-panel__muted">{t('debug.notReached')}</p>
              ) : (
                outputs.map((tensor, i) => <TensorView key={i} label={outputs.length > 1 ? `y${i}` : 'y'} tensor={tensor} sample={s.sample} testId="debug-output" pictures />)
              )}
            </section>

            <section className="nw-debug-panel__section" data-testid="debug-backward">
              <h3>{t('debug.backward')}</h3>
              {backward === undefined ? (
                <p className="nw-debug-panel__muted">{t('debug.notReachedBackward')}</p>
              ) : (
                <>
                  {backward.outputGrads.map((g, i) => (g === null ? null : <TensorView key={`y${i}`} label="∂L/∂y" tensor={g} sample={s.sample} testId="debug-grad-output" />))}
                  {backward.inputGrads.map((g) => (g.tensor === null ? null : <TensorView key={`x${g.port}`} label={`∂L/∂x (${g.port})`} tensor={g.tensor} sample={s.sample} testId="debug-grad-input" />))}
                  {backward.paramGrads.map((p) => (
                    <TensorView key={p.name} label={`∂L/∂${p.name}`} tensor={p.tensor} sample={0} batched={false} testId="debug-grad-param" />
                  ))}
                  {ops !== undefined && <ChainRuleView view={ops} />}
                </>
              )}
            </section>

            <section className="nw-debug-panel__section" data-testid="debug-gradcheck">
              <h3>{t('debug.gradCheck')}</h3>
              <div className="nw-debug-panel__actions">
                <button type="button" className="nw-button nw-button--quiet" data-testid="debug-gradcheck-run" disabled={s.busy} title={t('debug.gradCheckHint')} onClick={() => void checkGradients(nodeId)}>
                  {t('debug.gradCheck.run')}
                </button>
                <button type="button" className="nw-button nw-button--quiet" data-testid="debug-gradcheck-all" disabled={s.busy} onClick={() => void checkAllGradients()}>
                  {t('debug.gradCheck.all')}
                </button>
              </div>
              {check !== undefined && <GradCheckTable check={check} />}
              {s.gradChecks.size > 1 && (
                <ul className="nw-debug-panel__checks" data-testid="debug-gradcheck-summary">
                  {[...s.gradChecks.values()].map((c) => (
                    <li key={c.nodeId} data-testid="debug-gradcheck-node" data-node-id={c.nodeId} data-max-error={c.maxRelativeError} data-pass={c.maxRelativeError < GRAD_CHECK_TOLERANCE}>
                      {c.nodeId}: {formatNumber(c.maxRelativeError)} {c.maxRelativeError < GRAD_CHECK_TOLERANCE ? '✓' : '✗'}
                    </li>
                  ))}
                </ul>
              )}
            </section>

            <section className="nw-debug-panel__section" data-testid="debug-optimizer">
              <h3>{t('debug.optimizer')}</h3>
              <button type="button" className="nw-button nw-button--quiet" data-testid="debug-optimizer-step" disabled={s.busy} title={t('debug.optimizerHint')} onClick={() => void applyOptimizerStep()}>
                {t('debug.optimizer.step')}
              </button>
              {s.optimizer !== null && (
                <p className="nw-debug-panel__muted" data-testid="debug-optimizer-info" data-optimizer={s.optimizer.optimizer} data-lr={s.optimizer.lr}>
                  {t('debug.optimizer.info', { optimizer: s.optimizer.optimizer, lr: formatNumber(s.optimizer.lr) })}
                </p>
              )}
              {s.optimizer !== null && <p className="nw-debug-panel__muted">{t('debug.optimizer.restartHint')}</p>}
              {updates.map((u) => {
                const grad = fromWireTensor(u.grad);
                const delta = fromWireTensor(u.delta);
                const small = delta.length <= SMALL_TENSOR;
                return (
                  <div key={u.name} className="nw-debug-update" data-testid="debug-update" data-param={u.name}>
                    <strong>{u.name}</strong>
                    <div data-testid="debug-update-grad" data-values={small ? JSON.stringify(Array.from(grad)) : undefined}>
                      ∂L/∂{u.name}: {formatValues(grad)}
                    </div>
                    <div data-testid="debug-update-delta" data-values={small ? JSON.stringify(Array.from(delta)) : undefined}>
                      ΔW: {formatValues(delta)}
                    </div>
                    {s.optimizer?.optimizer === 'sgd' && <div className="nw-debug-panel__muted">ΔW = −{formatNumber(s.optimizer.lr)} × ∂L/∂{u.name}</div>}
                    <div data-testid="debug-update-value">
                      W + ΔW: {formatValues(fromWireTensor(u.value))}
                    </div>
                  </div>
                );
              })}
              {s.optimizer !== null && updates.length === 0 && <p className="nw-debug-panel__muted">{t('debug.optimizer.noParams')}</p>}
            </section>
          </>
        )}
      </div>
    </aside>
  );
}

function GradCheckTable({ check }: { readonly check: GradCheck }) {
  const { t } = useI18n();
  const pass = check.maxRelativeError < GRAD_CHECK_TOLERANCE;
  return (
    <div className="nw-debug-gradcheck" data-testid="debug-gradcheck-result" data-max-error={check.maxRelativeError} data-pass={pass}>
      <p>
        {t('debug.gradCheck.summary', {
          error: formatNumber(check.maxRelativeError),
          verdict: pass ? '✓' : '✗',
          analytic: check.analyticMs.toFixed(2),
          numeric: check.numericMs.toFixed(2),
          evaluations: check.evaluations,
        })}
      </p>
      <p className="nw-debug-panel__muted">{t('debug.gradCheck.where', { backend: check.backend, epsilon: formatNumber(check.epsilon) })}</p>
      {check.kinks > 0 && (
        <p className="nw-debug-panel__muted" data-testid="debug-gradcheck-kinks">
          {t('debug.gradCheck.kinks', { count: check.kinks })}
        </p>
      )}
      <table className="nw-debug-gradcheck__table">
        <thead>
          <tr>
            <th>{t('debug.gradCheck.tensor')}</th>
            <th>{t('debug.gradCheck.analytic')}</th>
            <th>{t('debug.gradCheck.numeric')}</th>
            <th>{t('debug.gradCheck.error')}</th>
          </tr>
        </thead>
        <tbody>
          {check.checks.map((c, i) => (
            <tr key={i} data-pass={c.kink || c.relativeError < GRAD_CHECK_TOLERANCE} data-kink={c.kink}>
              <td>
                {c.kind === 'input' ? t('debug.gradCheck.input', { port: c.param }) : c.param}[{c.index}]
              </td>
              <td>{formatNumber(c.analytic)}</td>
              <td>{formatNumber(c.numeric)}</td>
              <td>{c.kink ? `${t('debug.gradCheck.kink')} (${formatNumber(c.relativeError)})` : formatNumber(c.relativeError)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
