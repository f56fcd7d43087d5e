// The training panel: what the run trains on and how (dataset, loss, optimizer and its
// hyper-parameters, learning-rate schedule, batch size, epochs, seed, validation split,
// backend), Run / Pause / Resume / Stop, and a progress bar with samples per second and ETA.
// The settings are the document's `training` field (and its loss node's type), edited through
// the document store like any other edit: they are saved with the graph and can be undone.
import { useEffect, useState } from 'react';
import {
  BATCH_MODES,
  CATALOG,
  ChannelError,
  OPTIMIZERS,
  SCHEDULES,
  TRAIN_BACKENDS,
  type GraphDocument,
  type TrainingConfig,
  type WireDatasetInfo,
} from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { documentStore, useDocument } from '../state/documentStore';
import { chooseBackend, useBackendChoice } from './backendChoice';
import { STATE_KEYS } from './CurvesPanel';
import { runStore, type Run } from './runStore';

const LOSSES = CATALOG.filter((spec) => spec.family === 'loss');
function editTraining(patch: (training: TrainingConfig) => TrainingConfig): void {
  documentStore.apply((doc) => {
    const training = patch(doc.training);
    return JSON.stringify(training) === JSON.stringify(doc.training) ? doc : { ...doc, training };
  });
}

/** A number input that keeps what is typed (a half-typed "0.") and commits valid numbers. */
function NumberField({ id, label, value, onCommit, min, step, integer = false }: {
  readonly id: string;
  readonly label: string;
  readonly value: number | undefined;
  readonly onCommit: (value: number | undefined) => void;
  readonly min?: number;
  readonly step?: number | 'any';
  readonly integer?: boolean;
}) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => {
    setText((current) => (Number(current) === value && current !== '' ? current : value === undefined ? '' : String(value)));
  }, [value]);
  return (
    <label className="nw-train-form__field">
      <span>{label}</span>
      <input
        className="nw-field__input nw-field__input--number"
        type="number"
        data-testid={`train-field-${id}`}
        value={text}
        min={min}
        step={step ?? 'any'}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === '') return onCommit(undefined);
          const n = Number(event.target.value);
          if (Number.isFinite(n) && (!integer || Number.isInteger(n)) && (min === undefined || n >= min)) onCommit(n);
        }}
      />
    </label>
  );
}

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

interface TrainingPanelProps {
  readonly current: Run | null;
  /** Set while the user edits a duplicated run's settings (cleared by Run). */
  readonly duplicateOf: number | null;
  readonly onStarted: () => void;
}

export function TrainingPanel({ current, duplicateOf, onStarted }: TrainingPanelProps) {
  const { t, pick } = useI18n();
  const { document: doc } = useDocument();
  const training = doc.training;
  const [datasets, setDatasets] = useState<readonly WireDatasetInfo[]>([]);
  const backend = useBackendChoice();
  const [message, setMessage] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const engine = getEngine();
    const check = () => {
      const status = engine.getSnapshot().status;
      setConnected(status === 'connected' || status === 'training' || status === 'reconnected');
    };
    check();
    return engine.subscribe(check);
  }, []);

  useEffect(() => {
    if (!connected || datasets.length > 0) return;
    getEngine()
      .call('datasets.list', {})
      .then((result) => setDatasets(result.datasets))
      .catch(() => undefined);
  }, [connected, datasets.length]);

  const state = current?.status?.state ?? 'idle';
  const active = state === 'loading' || state === 'running' || state === 'paused';
  const lossNodes = doc.nodes.filter((node) => LOSSES.some((spec) => spec.type === node.type));
  const lossNode = lossNodes.length === 1 ? lossNodes[0] : undefined;
  const dataset = datasets.find((d) => d.name === training.dataset.name);
  const opt = training.optimizer;
  const sched = training.schedule;

  const run = (document: GraphDocument | null = documentStore.document) => {
    if (document === null || document.nodes.length === 0) {
      setMessage(t('train.empty'));
      return;
    }
    setMessage(null);
    runStore
      .startRun(document, backend)
      .then(onStarted)
      .catch((error: unknown) => {
        const text = error instanceof ChannelError ? (error.text !== undefined ? pick(error.text) : error.message) : String(error);
        setMessage(t('train.refused', { message: text }));
      });
  };
  const call = (method: 'train.pause' | 'train.resume' | 'train.stop') => void getEngine().call(method, {}).catch(() => undefined);

  const progress = current?.progress !== null && current?.progress !== undefined && current.progress.runId === current.runId ? current.progress : null;
  const totalSteps = progress !== null ? progress.epochs * progress.stepsPerEpoch : 0;
  const fraction = progress !== null && totalSteps > 0 ? ((progress.epoch - 1) * progress.stepsPerEpoch + progress.stepInEpoch) / totalSteps : state === 'completed' ? 1 : 0;
  const result = current?.status?.result;
  const samplesPerSecond = active ? (progress?.samplesPerSecond ?? null) : (result?.samplesPerSecond ?? progress?.samplesPerSecond ?? null);

  return (
    <section className="nw-train-form" data-testid="training-panel" aria-label={t('panels.training.title')}>
      <div className="nw-train-form__controls">
        {!active ? (
          <button type="button" className="nw-button nw-button--primary" data-testid="train-panel-run" disabled={!connected} title={t('panels.run.hint')} onClick={() => run()}>
            {t('panels.run')}
          </button>
        ) : (
          <>
            {state === 'paused' ? (
              <button type="button" className="nw-button" data-testid="train-panel-resume" onClick={() => call('train.resume')}>
                {t('panels.resume')}
              </button>
            ) : (
              <button type="button" className="nw-button" data-testid="train-panel-pause" disabled={state !== 'running'} onClick={() => call('train.pause')}>
                {t('panels.pause')}
              </button>
            )}
            <button type="button" className="nw-button" data-testid="train-panel-stop" title={t('panels.stop.hint')} onClick={() => call('train.stop')}>
              {t('panels.stop')}
            </button>
          </>
        )}
        <span className="nw-train-form__state" data-testid="train-panel-state" data-state={state}>
          {current !== null ? `#${current.runId} ${t(STATE_KEYS[state])}` : ''}
        </span>
      </div>
      <div className="nw-train-form__progress">
        <progress max={1} value={fraction} data-testid="train-panel-bar" aria-label={t('panels.progress')} />
        <span data-testid="train-panel-progress" data-sps={samplesPerSecond ?? undefined}>
          {progress !== null && t('panels.progress.epoch', { epoch: progress.epoch, epochs: progress.epochs })}
          {samplesPerSecond !== null && ` · ${t('panels.progress.sps', { value: Math.round(samplesPerSecond) })}`}
          {active && progress !== null && ` · ${t('panels.progress.eta', { value: formatEta(progress.etaSeconds) })}`}
        </span>
      </div>
      {message !== null && (
        <p className="nw-train-form__message" role="alert" data-testid="train-panel-message">
          {message}
        </p>
      )}
      {current?.status?.state === 'failed' && current.status.error !== undefined && (
        <p className="nw-train-form__message" role="alert">
          {t('train.failed', { message: pick(current.status.error.message) })}
        </p>
      )}
      {duplicateOf !== null && (
        <p className="nw-train-form__duplicate" data-testid="train-panel-duplicate">
          {t('panels.duplicate.banner', { run: duplicateOf })}
        </p>
      )}
      <fieldset className="nw-train-form__grid" disabled={active}>
        <label className="nw-train-form__field nw-train-form__field--wide">
          <span>{t('panels.dataset')}</span>
          <select
            className="nw-field__input"
            data-testid="train-field-dataset"
            value={training.dataset.name}
            title={dataset !== undefined ? pick(dataset.description) : undefined}
            onChange={(e) => editTraining((c) => ({ ...c, dataset: { name: e.target.value } }))}
          >
            {datasets.length === 0 && <option value={training.dataset.name}>{training.dataset.name}</option>}
            {datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {pick(d.title)}
              </option>
            ))}
          </select>
        </label>
        {(dataset?.needsPath === true || dataset?.source === 'system' || training.dataset.path !== undefined) && (
          <label className="nw-train-form__field nw-train-form__field--wide">
            <span>{t('panels.datasetPath')}</span>
            <input
              className="nw-field__input"
              data-testid="train-field-path"
              value={training.dataset.path ?? ''}
              placeholder={t('panels.datasetPath.placeholder')}
              onChange={(e) => {
                const { path: _path, ...rest } = training.dataset;
                editTraining((c) => ({ ...c, dataset: e.target.value === '' ? rest : { ...rest, path: e.target.value } }));
              }}
            />
          </label>
        )}
        {lossNode !== undefined && (
          <label className="nw-train-form__field">
            <span>{t('panels.loss')}</span>
            <select
              className="nw-field__input"
              data-testid="train-field-loss"
              value={lossNode.type}
              onChange={(e) => {
                const spec = LOSSES.find((s) => s.type === e.target.value);
                if (spec === undefined) return;
                const params = Object.fromEntries(spec.params.map((p) => [p.name, Array.isArray(p.default) ? [...(p.default as readonly number[])] : p.default])) as Record<string, string | number | boolean | number[]>;
                documentStore.apply((d) => ({ ...d, nodes: d.nodes.map((n) => (n.id === lossNode.id ? { ...n, type: spec.type, params } : n)) }));
              }}
            >
              {LOSSES.map((spec) => (
                <option key={spec.type} value={spec.type}>
                  {pick(spec.label)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="nw-train-form__field">
          <span>{t('panels.optimizer')}</span>
          <select
            className="nw-field__input"
            data-testid="train-field-optimizer"
            value={opt.type}
            onChange={(e) => editTraining((c) => ({ ...c, optimizer: { type: e.target.value as (typeof OPTIMIZERS)[number], lr: c.optimizer.lr } }))}
          >
            {OPTIMIZERS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <NumberField id="lr" label={t('panels.lr')} value={opt.lr} min={0} onCommit={(lr) => lr !== undefined && editTraining((c) => ({ ...c, optimizer: { ...c.optimizer, lr } }))} />
        {(opt.type === 'momentum' || opt.type === 'nesterov' || opt.type === 'sgd') && (
          <NumberField id="momentum" label={t('panels.momentum')} value={opt.momentum} min={0} onCommit={(momentum) => editTraining((c) => optional(c, 'momentum', momentum))} />
        )}
        {(opt.type === 'adam' || opt.type === 'adamw') && (
          <>
            <NumberField id="beta1" label="β1" value={opt.beta1} min={0} onCommit={(beta1) => editTraining((c) => optional(c, 'beta1', beta1))} />
            <NumberField id="beta2" label="β2" value={opt.beta2} min={0} onCommit={(beta2) => editTraining((c) => optional(c, 'beta2', beta2))} />
          </>
        )}
        {(opt.type === 'rmsprop' || opt.type === 'adadelta') && (
          <NumberField id="rho" label="ρ" value={opt.rho} min={0} onCommit={(rho) => editTraining((c) => optional(c, 'rho', rho))} />
        )}
        <NumberField id="weightDecay" label={t('panels.weightDecay')} value={opt.weightDecay} min={0} onCommit={(wd) => editTraining((c) => optional(c, 'weightDecay', wd))} />
        <label className="nw-train-form__field">
          <span>{t('panels.schedule')}</span>
          <select
            className="nw-field__input"
            data-testid="train-field-schedule"
            value={sched.type}
            onChange={(e) => editTraining((c) => ({ ...c, schedule: { type: e.target.value as (typeof SCHEDULES)[number] } }))}
          >
            {SCHEDULES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {sched.type === 'step' && (
          <NumberField id="stepSize" label={t('panels.stepSize')} value={sched.stepSize} min={1} integer onCommit={(stepSize) => editTraining((c) => ({ ...c, schedule: withField(c.schedule, 'stepSize', stepSize) }))} />
        )}
        {(sched.type === 'step' || sched.type === 'exponential') && (
          <NumberField id="gamma" label="γ" value={sched.gamma} min={0} onCommit={(gamma) => editTraining((c) => ({ ...c, schedule: withField(c.schedule, 'gamma', gamma) }))} />
        )}
        {sched.type === 'cosine' && (
          <NumberField id="minLr" label={t('panels.minLr')} value={sched.minLr} min={0} onCommit={(minLr) => editTraining((c) => ({ ...c, schedule: withField(c.schedule, 'minLr', minLr) }))} />
        )}
        <label className="nw-train-form__field">
          <span>{t('panels.mode')}</span>
          <select className="nw-field__input" data-testid="train-field-mode" value={training.mode} onChange={(e) => editTraining((c) => ({ ...c, mode: e.target.value as (typeof BATCH_MODES)[number] }))}>
            {BATCH_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <NumberField id="batchSize" label={t('panels.batchSize')} value={training.batchSize} min={1} integer onCommit={(batchSize) => batchSize !== undefined && editTraining((c) => ({ ...c, batchSize }))} />
        <NumberField id="epochs" label={t('panels.epochs')} value={training.epochs} min={1} integer onCommit={(epochs) => epochs !== undefined && editTraining((c) => ({ ...c, epochs }))} />
        <NumberField id="seed" label={t('panels.seed')} value={training.seed} min={0} integer onCommit={(seed) => seed !== undefined && editTraining((c) => ({ ...c, seed }))} />
        <NumberField
          id="validationSplit"
          label={t('panels.validationSplit')}
          value={training.validationSplit}
          min={0}
          onCommit={(validationSplit) => validationSplit !== undefined && validationSplit < 1 && editTraining((c) => ({ ...c, validationSplit }))}
        />
        <label className="nw-train-form__field">
          <span>{t('train.backend.label')}</span>
          <select
            className="nw-field__input"
            data-testid="train-field-backend"
            value={backend}
            title={t('train.backend.hint')}
            onChange={(e) => chooseBackend(e.target.value)}
          >
            {TRAIN_BACKENDS.map((b) => (
              <option key={b} value={b}>
                {t(b === 'cpu' ? 'train.backend.cpu' : 'train.backend.webgpu')}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
    </section>
  );
}

type OptimizerField = 'momentum' | 'beta1' | 'beta2' | 'rho' | 'weightDecay';

/** The optimizer with `field` set, or removed (the engine's default) when empty. */
function optional(c: TrainingConfig, field: OptimizerField, value: number | undefined): TrainingConfig {
  return { ...c, optimizer: withField(c.optimizer, field, value) };
}

function withField<T extends object, K extends string>(object: T, field: K, value: number | undefined): T {
  const copy = { ...object } as Record<string, unknown>;
  if (value === undefined) delete copy[field];
  else copy[field] = value;
  return copy as T;
}
