// The inspector, generated from the catalog: for the selected node, every param with a control
// for its kind (numbers with min/max, checkbox, select, a list of number fields for shapes), the
// free-text label, what validation says (inline, in the current language, with its hint), and the
// node's summary, parameter count, FLOPs and shapes. Every change is one `documentStore.apply`.
// Text and number fields commit on Enter or blur, so typing "784" is one undo step, not three.
import { openNodeHelp } from '../help/helpStore';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { formatShape, specOf, type Diagnostic, type GraphReport, type ParamSpec, type ParamValue } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';
import { documentStore, useDocument } from '../state/documentStore';
import { formatCompact, formatCount } from './actions';
import { groupNodes, setGroupCollapsed, setLabel, setParam, ungroup } from './graphOps';
import { GROUP_NODE_PREFIX } from './nodes/nodeModel';

interface InspectorProps {
  /** Selected flow node ids: layer node ids, or `group:<id>` for a collapsed group block. */
  readonly selected: readonly string[];
  readonly report: GraphReport;
}

/** Commits on Enter and blur; Escape puts the stored value back. */
function useDraft(value: string, commit: (text: string) => void) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return {
    value: draft,
    onChange: (event: { target: { value: string } }) => setDraft(event.target.value),
    onBlur: () => {
      if (draft !== value) commit(draft);
    },
    onKeyDown: (event: KeyboardEvent<HTMLInputElement>) => {
      if (event.key === 'Enter') {
        if (draft !== value) commit(draft);
      } else if (event.key === 'Escape') setDraft(value);
    },
  };
}

interface NumberFieldProps {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step: number | 'any';
  readonly label: string;
  readonly testId: string;
  readonly id?: string;
  readonly onCommit: (value: number) => void;
}

function NumberField({ value, min, max, step, label, testId, id, onCommit }: NumberFieldProps) {
  const draft = useDraft(String(value), (text) => {
    const parsed = Number(text);
    // An unreadable number is not committed; the field shows the stored value again.
    if (text.trim() !== '' && Number.isFinite(parsed)) onCommit(parsed);
  });
  return <input className="nw-field__input nw-field__input--number" type="number" id={id} min={min} max={max} step={step} aria-label={label} data-testid={testId} {...draft} />;
}

function ParamControl({ nodeId, param, value }: { readonly nodeId: string; readonly param: ParamSpec; readonly value: ParamValue }) {
  const { pick, t } = useI18n();
  const id = useId();
  const label = pick(param.label);
  const set = (next: ParamValue) => documentStore.apply((doc) => setParam(doc, nodeId, param.name, next));
  const testId = `param-${param.name}`;

  switch (param.kind) {
    case 'int':
    case 'float':
      return (
        <NumberField
          id={id}
          value={typeof value === 'number' ? value : param.default}
          min={param.min}
          max={param.max}
          step={param.kind === 'int' ? 1 : 'any'}
          label={label}
          testId={testId}
          onCommit={(n) => set(param.kind === 'int' ? Math.round(n) : n)}
        />
      );
    case 'bool':
      return <input id={id} type="checkbox" className="nw-field__checkbox" checked={value === true} aria-label={label} data-testid={testId} onChange={(event) => set(event.target.checked)} />;
    case 'enum':
      return (
        <select id={id} className="nw-field__input" value={String(value)} aria-label={label} data-testid={testId} onChange={(event) => set(event.target.value)}>
          {param.options.map((option) => (
            <option key={option.value} value={option.value}>
              {pick(option.label)}
            </option>
          ))}
        </select>
      );
    case 'ints': {
      const list = Array.isArray(value) ? (value as readonly number[]) : param.default;
      return (
        <div className="nw-field__ints" role="group" aria-label={label} data-testid={testId}>
          {list.map((n, i) => (
            <NumberField
              key={i}
              value={n}
              min={param.min}
              max={param.max}
              step={1}
              label={`${label} ${i + 1}`}
              testId={`${testId}-${i}`}
              onCommit={(next) => set(list.map((old, j) => (j === i ? Math.round(next) : old)))}
            />
          ))}
          <button
            type="button"
            className="nw-field__small-button"
            data-testid={`${testId}-add`}
            disabled={list.length >= param.maxLength}
            aria-label={t('inspector.ints.add', { label })}
            title={t('inspector.ints.add', { label })}
            onClick={() => set([...list, list[list.length - 1] ?? 1])}
          >
            +
          </button>
          <button
            type="button"
            className="nw-field__small-button"
            data-testid={`${testId}-remove`}
            disabled={list.length <= param.minLength}
            aria-label={t('inspector.ints.remove', { label })}
            title={t('inspector.ints.remove', { label })}
            onClick={() => set(list.slice(0, -1))}
          >
            −
          </button>
        </div>
      );
    }
  }
}

function IssueList({ issues }: { readonly issues: readonly Diagnostic[] }) {
  const { pick, t } = useI18n();
  if (issues.length === 0) return null;
  return (
    <ul className="nw-inspector__issues">
      {issues.map((d, i) => (
        <li key={i} className="nw-issue" data-severity={d.severity} data-testid="inspector-issue">
          <p className="nw-issue__message">{pick(d.message)}</p>
          <p className="nw-issue__hint">
            <span className="nw-issue__hint-label">{t('issue.hint')}:</span> {pick(d.hint)}
          </p>
        </li>
      ))}
    </ul>
  );
}

function LabelField({ nodeId, label, placeholder }: { readonly nodeId: string; readonly label: string; readonly placeholder: string }) {
  const { t } = useI18n();
  const id = useId();
  const draft = useDraft(label, (text) => documentStore.apply((doc) => setLabel(doc, nodeId, text)));
  return (
    <div className="nw-field">
      <label className="nw-field__label" htmlFor={id}>
        {t('inspector.label')}
      </label>
      <input id={id} className="nw-field__input" type="text" placeholder={placeholder} data-testid="node-label-input" {...draft} />
    </div>
  );
}

function GroupLabelField({ groupId, label }: { readonly groupId: string; readonly label: string }) {
  const { t } = useI18n();
  const id = useId();
  const draft = useDraft(label, (text) =>
    documentStore.apply((doc) => (doc.groups.find((g) => g.id === groupId)?.label === text ? doc : { ...doc, groups: doc.groups.map((g) => (g.id === groupId ? { ...g, label: text } : g)) })),
  );
  return (
    <div className="nw-field">
      <label className="nw-field__label" htmlFor={id}>
        {t('group.label')}
      </label>
      <input id={id} className="nw-field__input" type="text" data-testid="group-label-input" {...draft} />
    </div>
  );
}

function GroupActions({ groupId, collapsed }: { readonly groupId: string; readonly collapsed: boolean }) {
  const { t } = useI18n();
  return (
    <div className="nw-inspector__actions">
      <button type="button" className="nw-button" data-testid={collapsed ? 'group-expand-button' : 'group-collapse'} onClick={() => documentStore.apply((doc) => setGroupCollapsed(doc, groupId, !collapsed))}>
        {collapsed ? t('group.expand') : t('group.collapse')}
      </button>
      <button type="button" className="nw-button" data-testid="group-ungroup" onClick={() => documentStore.apply((doc) => ungroup(doc, groupId))}>
        {t('group.ungroup')}
      </button>
    </div>
  );
}

export function Inspector({ selected, report }: InspectorProps) {
  const { t, pick } = useI18n();
  const { document: doc } = useDocument();
  const onlyId = selected.length === 1 ? selected[0]! : undefined;
  const groupId = onlyId?.startsWith(GROUP_NODE_PREFIX) ? onlyId.slice(GROUP_NODE_PREFIX.length) : undefined;
  const node = onlyId !== undefined && groupId === undefined ? doc.nodes.find((n) => n.id === onlyId) : undefined;
  const spec = node ? specOf(node.type) : undefined;
  const info = node ? report.nodes.get(node.id) : undefined;
  const issues = node ? report.diagnostics.filter((d) => d.nodeId === node.id) : [];
  const group = doc.groups.find((g) => g.id === (groupId ?? node?.group));

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
            <p className="nw-inspector__note">{t('inspector.totals', { params: formatCount(report.totals.paramCount), flops: formatCompact(report.totals.flops) })}</p>
          </div>
        )}
        {selected.length > 1 && (
          <div className="nw-inspector__node">
            <p className="nw-inspector__note" data-testid="inspector-count">
              {t('inspector.multiple', { count: selected.length })}
            </p>
            <div className="nw-inspector__actions">
              <button
                type="button"
                className="nw-button"
                data-testid="group-create"
                onClick={() => documentStore.apply((d) => groupNodes(d, new Set(selected.filter((id) => !id.startsWith(GROUP_NODE_PREFIX))), t('group.defaultLabel')).doc)}
              >
                {t('group.create')}
              </button>
            </div>
          </div>
        )}
        {group && groupId !== undefined && (
          <div className="nw-inspector__node" data-testid="inspector-group">
            <h3 className="nw-inspector__node-title">{group.label || t('group.untitled')}</h3>
            <GroupLabelField groupId={group.id} label={group.label} />
            <GroupActions groupId={group.id} collapsed={group.collapsed} />
          </div>
        )}
        {node && (
          <div className="nw-inspector__node" data-testid="inspector-node">
            <h3 className="nw-inspector__node-title">
              {node.label ?? (spec ? pick(spec.label) : node.type)} <code className="nw-inspector__type">{node.type}</code>
              {spec && (
                <button
                  type="button"
                  className="nw-help-button"
                  data-testid="inspector-help"
                  aria-label={t('help.open', { name: pick(spec.label) })}
                  title={t('help.open', { name: pick(spec.label) })}
                  onClick={() => openNodeHelp(node.type)}
                >
                  ?
                </button>
              )}
            </h3>
            {spec && <p className="nw-inspector__summary">{pick(spec.summary)}</p>}
            <IssueList issues={issues.filter((d) => d.param === undefined)} />
            <LabelField nodeId={node.id} label={node.label ?? ''} placeholder={spec ? pick(spec.label) : node.type} />
            {spec?.params.map((param) => (
              <div className="nw-field" key={param.name}>
                <span className="nw-field__label" title={pick(param.help)}>
                  {pick(param.label)} <code className="nw-field__name">{param.name}</code>
                </span>
                <ParamControl nodeId={node.id} param={param} value={node.params[param.name] ?? param.default} />
                <p className="nw-field__help">{pick(param.help)}</p>
                <IssueList issues={issues.filter((d) => d.param === param.name)} />
              </div>
            ))}
            {spec && spec.params.length === 0 && <p className="nw-inspector__note">{t('inspector.noParams')}</p>}
            <dl className="nw-inspector__facts" data-testid="inspector-facts">
              {spec && (
                <>
                  <dt>{t('inspector.family')}</dt>
                  <dd>
                    <span className="nw-family-dot" data-family={spec.family} aria-hidden="true" />
                    {t(`family.${spec.family}`)}
                  </dd>
                </>
              )}
              <dt>{t('inspector.paramCount')}</dt>
              <dd data-testid="inspector-param-count">{info?.outputs ? formatCount(info.paramCount) : '—'}</dd>
              <dt>{t('inspector.flops')}</dt>
              <dd>{info?.outputs ? formatCompact(info.flops) : '—'}</dd>
              <dt>{t('inspector.inputs')}</dt>
              <dd>{info && Object.keys(info.inputs).length > 0 ? Object.entries(info.inputs).map(([port, shape]) => `${port} ${formatShape(shape)}`).join(', ') : '—'}</dd>
              <dt>{t('inspector.outputs')}</dt>
              <dd data-testid="inspector-output-shape">{info?.outputs ? info.outputs.map(formatShape).join(', ') : '—'}</dd>
            </dl>
            {group && (
              <div className="nw-inspector__group">
                <p className="nw-inspector__note">{t('group.member', { label: group.label || t('group.untitled') })}</p>
                <GroupActions groupId={group.id} collapsed={group.collapsed} />
              </div>
            )}
          </div>
        )}
      </div>
    </aside>
  );
}
