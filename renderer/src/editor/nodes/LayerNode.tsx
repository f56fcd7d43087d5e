// A layer node for any catalog type: a family-coloured header with the (translated) label and
// type, one row per typed port with its handle, the parameter count, and a badge with the first
// problem validation found (hint on hover). Memoised: React Flow re-renders nodes on every
// viewport change, and the editor keeps unchanged nodes' objects identical.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { specOf } from '../../../../engine/protocol/index.js';
import { DebugNodeBadge, useDebugNode } from '../../debug/debugCanvas';
import { useI18n } from '../../i18n';
import { formatCount } from '../actions';
import { defaultParamsOf } from '../graphOps';
import type { NetNode, NodeIssue } from './nodeModel';

export function IssueBadge({ issue }: { readonly issue: NodeIssue }) {
  const { pick, t } = useI18n();
  const more = issue.count > 1 ? ` ${t('node.moreIssues', { count: issue.count - 1 })}` : '';
  return (
    <div
      className="nw-node__issue"
      data-severity={issue.severity}
      data-testid="node-issue"
      role="note"
      title={`${pick(issue.message)}\n${t('issue.hint')}: ${pick(issue.hint)}`}
    >
      <span className="nw-node__issue-icon" aria-hidden="true">
        {issue.severity === 'error' ? '!' : '?'}
      </span>
      <span className="nw-node__issue-text">
        {pick(issue.message)}
        {more}
      </span>
    </div>
  );
}

function LayerNodeView({ id, data, selected }: NodeProps<NetNode>) {
  const { pick, t } = useI18n();
  const spec = specOf(data.type);
  const inputs = useMemo(() => (spec ? spec.inputs({ ...defaultParamsOf(data.type), ...data.params }) : []), [spec, data.type, data.params]);
  const outputs = spec?.outputs ?? [];
  const rows = Math.max(inputs.length, outputs.length);
  const title = data.label ?? (spec ? pick(spec.label) : data.type);
  const debug = useDebugNode(id);

  return (
    <div
      className={`nw-node${selected ? ' is-selected' : ''}${data.issue ? ` has-${data.issue.severity}` : ''}${debug?.current ? ' is-debug-current' : ''}${debug?.breakpoint ? ' has-breakpoint' : ''}`}
      data-debug={debug?.reached ?? undefined}
      data-family={spec?.family ?? 'unknown'}
      data-testid={`node-${data.type}`}
      data-node-id={id}
      aria-label={`${title} (${data.type})`}
    >
      <div className="nw-node__header" title={spec ? pick(spec.summary) : t('node.unknown')}>
        <span className="nw-node__label">{title}</span>
        <span className="nw-node__type">{data.type}</span>
      </div>
      {spec ? (
        <div className="nw-node__ports">
          {Array.from({ length: rows }, (_, row) => {
            const input = inputs[row];
            const output = outputs[row];
            return (
              <div className="nw-node__port-row" key={row}>
                {input ? (
                  <span className="nw-node__port nw-node__port--in">
                    <Handle type="target" position={Position.Left} id={input.name} aria-label={pick(input.label)} />
                    {pick(input.label)}
                    {input.optional && <span className="nw-node__optional">{t('node.optional')}</span>}
                  </span>
                ) : (
                  <span />
                )}
                {output ? (
                  <span className="nw-node__port nw-node__port--out">
                    {pick(output.label)}
                    <Handle type="source" position={Position.Right} id={output.name} aria-label={pick(output.label)} />
                  </span>
                ) : (
                  <span />
                )}
              </div>
            );
          })}
        </div>
      ) : (
        <div className="nw-node__error">{t('node.unknown')}</div>
      )}
      {data.paramCount !== undefined && data.paramCount > 0 && (
        <div className="nw-node__meta" data-testid="node-params">
          {t('node.params', { count: formatCount(data.paramCount) })}
        </div>
      )}
      {data.issue && <IssueBadge issue={data.issue} />}
      {debug && <DebugNodeBadge view={debug} />}
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
