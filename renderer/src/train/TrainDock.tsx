// The training dock under the canvas: a bar that opens it, and when open the training panel
// (settings, Run/Pause/Resume/Stop, progress) beside the live panels — curves, histograms,
// filters and feature maps, decision boundary (2-D inputs), confusion matrix, and "try it"
// (28×28 inputs). Panels subscribe to the engine's streams only while the dock is open.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ChannelError } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { documentStore, useDocument } from '../state/documentStore';
import { BoundaryPanel, isTwoD } from './BoundaryPanel';
import { ConfusionPanel } from './ConfusionPanel';
import { CurvesPanel } from './CurvesPanel';
import { FeaturesPanel } from './FeaturesPanel';
import { HistogramsPanel } from './HistogramsPanel';
import { runStore, type Run } from './runStore';
import { savedBackend } from './backendChoice';
import { TrainingPanel } from './TrainingPanel';
import { takesDigits, TryItPanel } from './TryItPanel';
import './train.css';

export function TrainDock() {
  const { t, pick } = useI18n();
  const [open, setOpen] = useState(false);
  const [duplicateOf, setDuplicateOf] = useState<number | null>(null);
  const version = useSyncExternalStore(runStore.subscribe, runStore.getVersion);
  const runs = runStore.all();
  const current = runStore.current();
  const { document: doc } = useDocument();
  const state = current?.status?.state ?? 'idle';
  const [refusal, setRefusal] = useState<string | null>(null);
  const active = state === 'loading' || state === 'running' || state === 'paused';

  // Ctrl/Cmd+Enter, dock open or not: Run when idle, Stop while a run is under way (docs/panels.md).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      event.preventDefault();
      setRefusal(null);
      if (active) {
        void getEngine().call('train.stop', {}).catch(() => undefined);
        return;
      }
      const graph = documentStore.document;
      if (graph.nodes.length === 0) {
        setRefusal(t('train.empty'));
        return;
      }
      runStore.startRun(graph, savedBackend()).then(
        () => setDuplicateOf(null),
        (error: unknown) => setRefusal(t('train.refused', { message: error instanceof ChannelError && error.text !== undefined ? pick(error.text) : error instanceof Error ? error.message : String(error) })),
      );
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, t, pick]);

  const duplicate = (run: Run) => {
    if (run.config === null) return;
    const config = structuredClone(run.config);
    documentStore.apply((d) => ({ ...d, training: config }));
    setDuplicateOf(run.runId);
  };

  return (
    <div className="nw-dock" data-testid="train-dock" data-open={open}>
      <div className="nw-dock__bar">
        <button type="button" className="nw-button nw-button--quiet" data-testid="panels-toggle" aria-expanded={open} title={t('panels.toggle.hint')} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? '▾' : '▴'}</span> {t('panels.toggle')}
        </button>
        <span className="nw-dock__summary">{current !== null ? t('panels.summary', { runs: runs.length }) : ''}</span>
        {refusal !== null && (
          <span className="nw-train-form__message" role="alert" data-testid="dock-message">
            {refusal}
          </span>
        )}
        <span className="nw-dock__shortcut">{t('panels.shortcut')}</span>
      </div>
      {open && (
        <div className="nw-dock__body">
          <TrainingPanel current={current} duplicateOf={duplicateOf} onStarted={() => setDuplicateOf(null)} />
          <div className="nw-dock__panels">
            <CurvesPanel runs={runs} version={version} onDuplicate={duplicate} />
            <HistogramsPanel active={open} />
            <FeaturesPanel doc={doc} runState={state} active={open && current !== null} />
            {isTwoD(doc) && <BoundaryPanel runState={state} active={open} />}
            <ConfusionPanel runKey={current?.key ?? null} runState={state} active={open} />
            {takesDigits(doc) && <TryItPanel active={open} modelKey={`${current?.key ?? 0}:${state}`} />}
          </div>
        </div>
      )}
    </div>
  );
}
