// The debugger's toolbar, floating over the canvas: outside debug mode one Debug button (F5);
// inside it, step over / into / backward, continue, restart and stop, the breakpoint toggle for
// the selected node, the batch size and which sample the canvas shows, and where the run is.
// Its shortcuts (keys.ts) work anywhere in the window except while typing.
import { Panel } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import type { GraphDocument } from '../../../engine/protocol/index.js';
import { isTypingTarget } from '../editor/keyboard';
import { GROUP_NODE_PREFIX } from '../editor/nodes/nodeModel';
import { useI18n, type MessageKey } from '../i18n';
import {
  continueRun,
  getDebugState,
  restartDebugging,
  setBatch,
  setSample,
  startDebugging,
  stepBackward,
  stepInto,
  stepOver,
  stopDebugging,
  toggleBreakpoint,
  useDebug,
} from './debugStore';
import { formatNumber } from './format';
import { DEBUG_SHORTCUTS, debugCommandFor, type DebugCommand } from './keys';

interface DebugToolbarProps {
  /** The document on the canvas, read when debugging starts. */
  readonly getDocument: () => GraphDocument;
  /** Selected canvas node ids (F9 sets a breakpoint on the first layer node). */
  readonly selected: readonly string[];
}

const BATCHES = [1, 2, 4, 8] as const;

export function DebugToolbar({ getDocument, selected }: DebugToolbarProps) {
  const { t } = useI18n();
  const s = useDebug();
  const target = selected.find((id) => !id.startsWith(GROUP_NODE_PREFIX)) ?? null;
  const latest = useRef({ getDocument, target });
  latest.current = { getDocument, target };

  useEffect(() => {
    const run = (command: DebugCommand): void => {
      const { getDocument: read, target: node } = latest.current;
      switch (command) {
        case 'start':
          void startDebugging(read());
          return;
        case 'continue':
          void continueRun();
          return;
        case 'stop':
          void stopDebugging();
          return;
        case 'restart':
          void restartDebugging();
          return;
        case 'toggleBreakpoint':
          if (node !== null) toggleBreakpoint(node);
          return;
        case 'stepOver':
          void stepOver();
          return;
        case 'stepInto':
          void stepInto();
          return;
        case 'stepBackward':
          void stepBackward();
          return;
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isTypingTarget(event.target)) return;
      const command = debugCommandFor(event, getDebugState().active);
      if (command === null) return;
      event.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!s.active) {
    return (
      <Panel position="top-right" className="nw-debug-toolbar">
        <DebugButton command="start" label={t('debug.start')} testId="debug-start" onClick={() => void startDebugging(getDocument())} text />
      </Panel>
    );
  }

  const ready = s.session !== null && !s.busy;
  const phaseKey: MessageKey = s.stoppedAt !== null ? 'debug.phase.breakpoint' : `debug.phase.${s.phase}`;
  return (
    <Panel position="top-right" className="nw-debug-toolbar is-active" data-testid="debug-toolbar" data-phase={s.phase} data-busy={s.busy}>
      <DebugButton command="continue" label={t('debug.continue')} testId="debug-continue" disabled={!ready || s.phase === 'done'} onClick={() => void continueRun()} icon="M4 3l8 5-8 5z" />
      <DebugButton command="stepOver" label={t('debug.stepOver')} testId="debug-step" disabled={!ready || s.phase === 'done'} onClick={() => void stepOver()} icon="M2.5 9a5.5 5.5 0 0 1 10.5-2M13 3v4H9M7 13.5h2" />
      <DebugButton command="stepInto" label={t('debug.stepInto')} testId="debug-step-into" disabled={!ready || s.phase === 'done'} onClick={() => void stepInto()} icon="M8 2v8M5 7l3 3 3-3M7 13.5h2" />
      <DebugButton command="stepBackward" label={t('debug.stepBackward')} testId="debug-step-back" disabled={!ready || s.phase !== 'backward'} onClick={() => void stepBackward()} icon="M8 14V6M5 9l3-3 3 3M7 2.5h2" />
      <DebugButton command="toggleBreakpoint" label={t('debug.breakpoint')} testId="debug-breakpoint" disabled={target === null} onClick={() => target !== null && toggleBreakpoint(target)} icon="M8 4.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z" />
      <DebugButton command="restart" label={t('debug.restart')} testId="debug-restart" disabled={s.busy} onClick={() => void restartDebugging()} icon="M3 8a5 5 0 1 0 1.5-3.5M3 2.5V5h2.5" />
      <DebugButton command="stop" label={t('debug.stop')} testId="debug-stop" onClick={() => void stopDebugging()} icon="M4 4h8v8H4z" />
      <span className="nw-toolbar__sep" aria-hidden="true" />
      <label className="nw-debug-toolbar__field" title={t('debug.batchHint')}>
        {t('debug.batch')}
        <select data-testid="debug-batch" value={s.batch} disabled={s.busy} onChange={(e) => void setBatch(Number(e.target.value))}>
          {BATCHES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label className="nw-debug-toolbar__field" title={t('debug.sampleHint')}>
        {t('debug.sample')}
        <select data-testid="debug-sample" value={s.sample} onChange={(e) => setSample(Number(e.target.value))}>
          {Array.from({ length: s.batch }, (_, i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
      </label>
      <span className="nw-debug-toolbar__status" role="status" aria-live="polite" data-testid="debug-status">
        {t(phaseKey, { node: s.stoppedAt ?? '' })}
        {s.session?.loss != null && <> · {t('debug.loss', { loss: formatNumber(s.session.loss) })}</>}
      </span>
      {s.error !== null && (
        <span className="nw-debug-toolbar__error" role="alert" data-testid="debug-error">
          {s.error}
        </span>
      )}
    </Panel>
  );
}

interface DebugButtonProps {
  readonly command: DebugCommand;
  readonly label: string;
  readonly testId: string;
  readonly icon?: string;
  readonly text?: boolean;
  readonly disabled?: boolean;
  readonly onClick: () => void;
}

function DebugButton({ command, label, testId, icon, text, disabled, onClick }: DebugButtonProps) {
  const shortcut = DEBUG_SHORTCUTS[command];
  return (
    <button
      type="button"
      className={text ? 'nw-button nw-button--quiet' : 'nw-toolbar__button'}
      data-testid={testId}
      aria-label={label}
      title={`${label} (${shortcut})`}
      aria-keyshortcuts={shortcut.replace('Ctrl', 'Control')}
      disabled={disabled}
      onClick={onClick}
    >
      {text ? (
        label
      ) : (
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <path d={icon} fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      )}
    </button>
  );
}
