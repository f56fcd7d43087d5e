// A minimal node for any catalog type: a family-coloured header with the label, one row per
// port with its handle. Memoised, as React Flow re-renders nodes on every viewport change.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { specOf } from '../../../../engine/protocol/index.js';
import { useI18n } from '../../i18n';
import { defaultParams, type NetNode } from './nodeModel';

function GenericNodeView({ data, selected }: NodeProps<NetNode>) {
  const { pick, t } = useI18n();
  const spec = specOf(data.type);
  const inputs = useMemo(() => (spec ? spec.inputs({ ...defaultParams(spec), ...data.params }) : []), [spec, data.params]);
  const outputs = spec?.outputs ?? [];
  const rows = Math.max(inputs.length, outputs.length);

  return (
    <div
      className={`nw-node${selected ? ' is-selected' : ''}`}
      data-family={spec?.family ?? 'unknown'}
      data-testid={`node-${data.type}`}
      title={spec ? pick(spec.summary) : t('node.unknown')}
    >
      <div className="nw-node__header">
        <span className="nw-node__label">{spec ? pick(spec.label) : data.type}</span>
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
                    <Handle type="target" position={Position.Left} id={input.name} />
                    {pick(input.label)}
                  </span>
                ) : (
                  <span />
                )}
                {output ? (
                  <span className="nw-node__port nw-node__port--out">
                    {pick(output.label)}
                    <Handle type="source" position={Position.Right} id={output.name} />
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
    </div>
  );
}

export const GenericNode = memo(GenericNodeView);
