// A collapsed group as one block: the group's label, how many nodes it holds, their total
// parameters, and the external ports (members' ports with an edge crossing the group boundary),
// so the block still connects like any node. The expand button restores the members.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useI18n } from '../../i18n';
import { formatCount, useEditorActions } from '../actions';
import { IssueBadge } from './LayerNode';
import type { GroupNode as GroupFlowNode } from './nodeModel';

function GroupNodeView({ data, selected }: NodeProps<GroupFlowNode>) {
  const { t } = useI18n();
  const { setGroupCollapsed } = useEditorActions();
  const rows = Math.max(data.inputs.length, data.outputs.length);
  const label = data.label || t('group.untitled');

  return (
    <div className={`nw-node nw-node--group${selected ? ' is-selected' : ''}`} data-family="structure" data-testid="group-node" aria-label={t('group.collapsedLabel', { label })}>
      <div className="nw-node__header">
        <span className="nw-node__label">{label}</span>
        <button
          type="button"
          className="nw-node__expand nodrag"
          data-testid="group-expand"
          aria-label={t('group.expand')}
          title={t('group.expand')}
          onClick={() => setGroupCollapsed(data.groupId, false)}
        >
          <svg viewBox="0 0 16 16" aria-hidden="true">
            <path d="M3 6V3h3M13 6V3h-3M3 10v3h3M13 10v3h-3" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <div className="nw-node__ports">
        {Array.from({ length: rows }, (_, row) => {
          const input = data.inputs[row];
          const output = data.outputs[row];
          return (
            <div className="nw-node__port-row" key={row}>
              {input ? (
                <span className="nw-node__port nw-node__port--in">
                  <Handle type="target" position={Position.Left} id={input.handle} />
                  {input.label}
                </span>
              ) : (
                <span />
              )}
              {output ? (
                <span className="nw-node__port nw-node__port--out">
                  {output.label}
                  <Handle type="source" position={Position.Right} id={output.handle} />
                </span>
              ) : (
                <span />
              )}
            </div>
          );
        })}
      </div>
      <div className="nw-node__meta" data-testid="group-summary">
        {t('group.summary', { count: data.memberCount, params: formatCount(data.paramCount) })}
      </div>
      {data.issue && <IssueBadge issue={data.issue} />}
    </div>
  );
}

export const GroupNode = memo(GroupNodeView);
