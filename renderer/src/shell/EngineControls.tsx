// The top bar's engine corner: a status light (connected, training, crashed — restarting,
// reconnected) and a minimal Train/Stop control for the graph on the canvas, with one line of
// progress, read from the run history (train/runStore.ts) that the training dock draws from. A
// select next to Train picks the backend (the window's one choice, train/backendChoice.ts); where WebGPU has no
// adapter the engine trains on the CPU and its notice is shown beside the progress line.
import { useState, useSyncExternalStore } from 'react';
import { ChannelError, TRAIN_BACKENDS, type GraphDocument, type TrainBackend } from '../../../engine/protocol/index.js';
import { getEngine, type EngineStatus } from '../host';
import { useI18n, type MessageKey } from '../i18n';
import { chooseBackend, useBackendChoice } from '../train/backendChoice';
import { runStore } from '../train/runStore';

const STATUS_KEYS: Readonly<Record<EngineStatus, MessageKey>> = {
  connecting: 'engine.status.connecting',
  connected: 'engine.status.connected',
  training: 'engine.status.training',
  crashed: 'engine.status.crashed',
  reconnected: 'engine.status.reconnected',
  failed: 'engine.status.failed',
  incompatible: 'engine.status.incompatible',
};

export function useEngineSnapshot() {
  const engine = getEngine();
  return useSyncExternalStore(engine.subscribe, engine.getSnapshot);
}

export function EngineStatusLight() {
  const { t } = useI18n();
  const snapshot = useEngineSnapshot();
  const details = [
    snapshot.pid !== null ? t('engine.status.pid', { pid: snapshot.pid }) : null,
    snapshot.crashes > 0 ? t('engine.status.crashes', { count: snapshot.crashes }) : null,
    snapshot.problem,
  ].filter((line): line is string => line !== null);
  return (
    <div
      className="nw-engine-status"
      data-testid="engine-status"
      data-status={snapshot.status}
      role="status"
      aria-live="polite"
      aria-label={t('engine.status.label')}
      title={details.join('\n') || undefined}
    >
      <span className="nw-engine-status__light" aria-hidden="true" />
      <span>{t(STATUS_KEYS[snapshot.status])}</span>
    </div>
  );
}

interface TrainControlsProps {
  /** The graph on the canvas, read when the user presses Train. */
  readonly getDocument: () => GraphDocument | null;
}

const BACKEND_KEYS: Readonly<Record<TrainBackend, MessageKey>> = {
  cpu: 'train.backend.cpu',
  webgpu: 'train.backend.webgpu',
};

function formatLoss(loss: number | null): string {
  return loss === null ? '—' : loss.toPrecision(4);
}

export function TrainControls({ getDocument }: TrainControlsProps) {
  const { t, pick } = useI18n();
  const snapshot = useEngineSnapshot();
  // The run history already listens to the progress stream (and redraws at most twice a second).
  useSyncExternalStore(runStore.subscribe, runStore.getVersion);
  const progress = runStore.current()?.progress ?? null;
  const [refusal, setRefusal] = useState<string | null>(null);
  const backend = useBackendChoice();
  const training = snapshot.training;
  const active = training !== null && (training.state === 'loading' || training.state === 'running' || training.state === 'paused');
  const connected = snapshot.status === 'connected' || snapshot.status === 'training' || snapshot.status === 'reconnected';

  const start = () => {
    const doc = getDocument();
    if (doc === null || doc.nodes.length === 0) {
      setRefusal(t('train.empty'));
      return;
    }
    setRefusal(null);
    runStore.startRun(doc, backend).catch((error: unknown) => {
      const message = error instanceof ChannelError ? (error.text !== undefined ? pick(error.text) : error.message) : String(error);
      setRefusal(t('train.refused', { message }));
    });
  };
  const stop = () => void getEngine().call('train.stop', {}).catch(() => undefined);
  const notice = training?.notice !== undefined ? pick(training.notice) : null;

  let line: string | null = refusal;
  if (line === null && snapshot.lostRun) line = t('train.lost');
  if (line === null && training !== null) {
    if (training.state === 'loading') line = t('train.loading');
    else if ((training.state === 'running' || training.state === 'paused') && progress !== null && progress.runId === training.runId) {
      line = t('train.progress', { epoch: progress.epoch, epochs: progress.epochs, loss: formatLoss(progress.loss) });
    } else if (training.state === 'completed') line = t('train.completed', { epochs: training.epoch });
    else if (training.state === 'stopped') line = t('train.stopped');
    else if (training.state === 'failed' && training.error !== undefined) line = t('train.failed', { message: pick(training.error.message) });
  }

  return (
    <div className="nw-train" data-testid="train-controls" data-backend={training?.backend}>
      {active ? (
        <button type="button" className="nw-button" data-testid="train-stop" title={t('train.stop.hint')} onClick={stop}>
          {t('train.stop')}
        </button>
      ) : (
        <button type="button" className="nw-button nw-button--primary" data-testid="train-run" title={t('train.run.hint')} disabled={!connected} onClick={start}>
          {t('train.run')}
        </button>
      )}
      <select
        className="nw-field__input nw-train__backend"
        data-testid="train-backend"
        aria-label={t('train.backend.label')}
        title={t('train.backend.hint')}
        value={backend}
        disabled={active}
        onChange={(event) => chooseBackend(event.target.value)}
      >
        {TRAIN_BACKENDS.map((choice) => (
          <option key={choice} value={choice}>
            {t(BACKEND_KEYS[choice])}
          </option>
        ))}
      </select>
      {notice !== null && (
        <span className="nw-train__notice" data-testid="train-notice" role="status" title={notice}>
          {notice}
        </span>
      )}
      {line !== null && (
        <span className="nw-train__line" data-testid="train-line" data-state={refusal !== null ? 'refused' : (training?.state ?? 'none')}>
          {line}
        </span>
      )}
    </div>
  );
}
