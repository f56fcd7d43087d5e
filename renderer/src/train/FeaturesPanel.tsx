// What a convolution layer learned: its filters (model.filters: weights [out, in, kh, kw], blue
// negative, red positive) and its feature maps for one chosen sample (the activations stream:
// output [1, C, H, W], recomputed as training goes). For a Dense layer fed by a 28×28 image the
// weights into each unit are shown as images instead (what an MLP's first layer looks for).
import { memo, useEffect, useMemo, useState } from 'react';
import { fromWireTensor, type EngineProtocol, type EventData, type GraphDocument, type WireTensor } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { ChartCanvas, drawGrey, PanelCard, type Draw } from './Charts';

/** Filter images at most (a 256-channel layer would be a wall of tiles). */
const MAX_TILES = 64;
const REFRESH_MS = 2000;

interface Tiles {
  readonly count: number;
  readonly h: number;
  readonly w: number;
  /** Each tile's values, h × w. */
  readonly tiles: readonly Float32Array[];
}

/** Conv filters [out, in, kh, kw] (input channels averaged), or Dense weights [784, units] as 28×28 images. */
export function filterTiles(tensor: WireTensor, type: string): Tiles | null {
  const values = fromWireTensor(tensor);
  const shape = tensor.shape;
  if (type === 'Conv2D' && shape.length === 4) {
    const [out, inCh, kh, kw] = shape as [number, number, number, number];
    const tiles: Float32Array[] = [];
    for (let o = 0; o < Math.min(out, MAX_TILES); o++) {
      const tile = new Float32Array(kh * kw);
      for (let c = 0; c < inCh; c++) for (let i = 0; i < kh * kw; i++) tile[i]! += values[((o * inCh + c) * kh * kw) + i]! / inCh;
      tiles.push(tile);
    }
    return { count: tiles.length, h: kh, w: kw, tiles };
  }
  if (shape.length === 2 && shape[0] === 784) {
    const units = shape[1]!;
    const tiles: Float32Array[] = [];
    for (let u = 0; u < Math.min(units, MAX_TILES); u++) {
      const tile = new Float32Array(784);
      for (let i = 0; i < 784; i++) tile[i] = values[i * units + u]!;
      tiles.push(tile);
    }
    return { count: tiles.length, h: 28, w: 28, tiles };
  }
  return null;
}

/** Feature maps of an output [1, C, H, W] (or [1, H, W]). */
function mapTiles(tensor: WireTensor): Tiles | null {
  const values = fromWireTensor(tensor);
  const shape = tensor.shape;
  if (shape.length < 3) return null;
  const [c, h, w] = shape.length === 4 ? (shape.slice(1) as [number, number, number]) : [1, shape[1]!, shape[2]!];
  const tiles: Float32Array[] = [];
  for (let i = 0; i < Math.min(c, MAX_TILES); i++) tiles.push(Float32Array.from(values.subarray(i * h * w, (i + 1) * h * w)));
  return { count: tiles.length, h, w, tiles };
}

function tileSize(tiles: Tiles): number {
  return Math.max(2, Math.floor(36 / Math.max(tiles.h, tiles.w)));
}

function drawTiles(tiles: Tiles | null, signed: boolean): Draw {
  return (ctx, width) => {
    if (tiles === null) return;
    const scale = tileSize(tiles);
    const cell = Math.max(tiles.h, tiles.w) * scale + 4;
    const perRow = Math.max(1, Math.floor(width / cell));
    tiles.tiles.forEach((tile, i) => drawGrey(ctx, tile, tiles.h, tiles.w, (i % perRow) * cell, Math.floor(i / perRow) * cell, scale, signed));
  };
}

function gridHeight(tiles: Tiles | null, width: number): number {
  if (tiles === null) return 8;
  const cell = Math.max(tiles.h, tiles.w) * tileSize(tiles) + 4;
  return Math.ceil(tiles.count / Math.max(1, Math.floor(width / cell))) * cell;
}

/** Nodes whose weights read as pictures: Conv2D, or a Dense layer taking 784 values. */
function viewableNodes(doc: GraphDocument): { id: string; type: string }[] {
  return doc.nodes.filter((n) => n.type === 'Conv2D' || n.type === 'Dense').map((n) => ({ id: n.id, type: n.type }));
}

export const FeaturesPanel = memo(function FeaturesPanel({ doc, runState, active }: { readonly doc: GraphDocument; readonly runState: string; readonly active: boolean }) {
  const { t } = useI18n();
  const nodes = viewableNodes(doc);
  const firstConv = nodes.find((n) => n.type === 'Conv2D') ?? nodes[0];
  const [chosen, setChosen] = useState<string | null>(null);
  const node = nodes.find((n) => n.id === chosen) ?? firstConv;
  const [sample, setSample] = useState(0);
  const [filters, setFilters] = useState<Tiles | null>(null);
  const [maps, setMaps] = useState<Tiles | null>(null);
  const [input, setInput] = useState<{ values: Float32Array; h: number; w: number; label: number | null } | null>(null);
  const width = 320;

  // Filters: read now, then every few seconds while a run is going (weights change).
  useEffect(() => {
    if (!active || node === undefined) return undefined;
    let cancelled = false;
    const load = () =>
      getEngine()
        .call('model.filters', { nodeId: node.id, units: MAX_TILES })
        .then((result) => {
          const weight = result.params.find((p) => p.name === 'weight');
          if (!cancelled) setFilters(weight !== undefined ? filterTiles(weight.tensor, node.type) : null);
        })
        .catch(() => !cancelled && setFilters(null));
    void load();
    const timer = runState === 'running' ? setInterval(() => void load(), REFRESH_MS) : null;
    return () => {
      cancelled = true;
      if (timer !== null) clearInterval(timer);
    };
  }, [active, node?.id, node?.type, runState]);

  // Feature maps of the chosen sample: the activations stream, restricted to this node.
  useEffect(() => {
    if (!active || node === undefined || node.type !== 'Conv2D') {
      setMaps(null);
      return undefined;
    }
    const subscription = getEngine().listen('activations', { sample, nodeIds: [node.id], maxRate: 1 }, (data: EventData<EngineProtocol, 'activations'>) => {
      const output = data.outputs.find((o) => o.nodeId === node.id)?.output;
      setMaps(output !== undefined ? mapTiles(output) : null);
      const shape = data.input.shape;
      const values = new Float32Array(fromWireTensor(data.input));
      const hw = shape.length >= 3 ? [shape[shape.length - 2]!, shape[shape.length - 1]!] : values.length === 784 ? [28, 28] : null;
      setInput(hw !== null ? { values, h: hw[0]!, w: hw[1]!, label: data.label } : null);
    });
    return () => subscription.dispose();
  }, [active, node?.id, node?.type, sample]);

  const drawFilters = useMemo(() => drawTiles(filters, true), [filters]);
  const drawMaps = useMemo(() => drawTiles(maps, false), [maps]);
  const drawInput = useMemo<Draw>(() => (ctx) => input !== null && drawGrey(ctx, input.values, input.h, input.w, 0, 0, 2), [input]);

  const csv = () => {
    const rows: (string | number)[][] = [['kind', 'index', 'height', 'width', 'values']];
    filters?.tiles.forEach((tile, i) => rows.push(['filter', i, filters.h, filters.w, Array.from(tile).join(' ')]));
    maps?.tiles.forEach((tile, i) => rows.push(['featureMap', i, maps.h, maps.w, Array.from(tile).join(' ')]));
    return rows;
  };

  const tools = (
    <>
      <label className="nw-panel-card__tool">
        {t('panels.features.layer')}
        <select className="nw-field__input" data-testid="features-layer" value={node?.id ?? ''} onChange={(e) => setChosen(e.target.value)}>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.id} ({n.type})
            </option>
          ))}
        </select>
      </label>
      <label className="nw-panel-card__tool">
        {t('panels.features.sample')}
        <input className="nw-field__input nw-field__input--number" type="number" min={0} value={sample} data-testid="features-sample" onChange={(e) => setSample(Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
      </label>
    </>
  );

  return (
    <PanelCard id="features" title={t('panels.features.title')} csv={csv} tools={tools}>
      {node === undefined ? (
        <p className="nw-panel-card__note">{t('panels.features.none')}</p>
      ) : (
        <>
          <h4 className="nw-curves__title">{t('panels.features.filters', { count: filters?.count ?? 0 })}</h4>
          {filters === null ? (
            <p className="nw-panel-card__note">{t('panels.empty')}</p>
          ) : (
            <ChartCanvas draw={drawFilters} width={width} height={gridHeight(filters, width)} testId="filter-grid" data-count={filters.count} label={t('panels.features.filters', { count: filters.count })} />
          )}
          {node.type === 'Conv2D' && (
            <>
              <h4 className="nw-curves__title">
                {t('panels.features.maps', { count: maps?.count ?? 0 })}
                {input !== null && input.label !== null && <span className="nw-curves__value">{t('panels.features.label', { label: input.label })}</span>}
              </h4>
              <div className="nw-features__maps">
                {input !== null && <ChartCanvas draw={drawInput} width={input.w * 2} height={input.h * 2} testId="features-input" label={t('panels.features.input')} />}
                {maps !== null && <ChartCanvas draw={drawMaps} width={width} height={gridHeight(maps, width)} testId="featuremap-grid" data-count={maps.count} label={t('panels.features.maps', { count: maps.count })} />}
              </div>
            </>
          )}
        </>
      )}
    </PanelCard>
  );
});
