// English UI strings: the reference dictionary. Every key here must exist in ja.ts (the type
// of `ja` enforces it, and i18n.test.ts checks it again at run time). `{name}` marks a value
// filled in by `t(key, { name })`.

export const en = {
  'app.name': 'Netwright',
  'app.tagline': 'Neural network designer',

  'topbar.language': 'Language',
  'topbar.theme.toDark': 'Switch to dark theme',
  'topbar.theme.toLight': 'Switch to light theme',

  'palette.title': 'Nodes',
  'palette.search.label': 'Search nodes',
  'palette.search.placeholder': 'Search nodes…',
  'palette.empty.catalog': 'No node types are available yet.',
  'palette.empty.search': 'No nodes match “{query}”.',
  'palette.item.hint': 'Drag onto the canvas, or press Enter to add',

  'family.input': 'Input',
  'family.dense': 'Dense',
  'family.activation': 'Activation',
  'family.convolution': 'Convolution',
  'family.regularization': 'Regularization',
  'family.structure': 'Structure',
  'family.loss': 'Loss',

  'canvas.label': 'Network canvas',
  'canvas.empty.title': 'Start your network',
  'canvas.empty.body': 'Drag a node from the palette onto the canvas.',

  'inspector.title': 'Inspector',
  'inspector.placeholder': 'Select a node to edit its parameters',
  'inspector.multiple': '{count} nodes selected',
  'inspector.type': 'Type',
  'inspector.family': 'Family',
  'inspector.paramsSoon': 'Parameter editing is coming soon.',

  'node.unknown': 'Unknown node type',

  'engine.status.label': 'Engine',
  'engine.status.connecting': 'Connecting…',
  'engine.status.connected': 'Engine ready',
  'engine.status.training': 'Training',
  'engine.status.crashed': 'Engine crashed — restarting',
  'engine.status.reconnected': 'Engine restarted',
  'engine.status.failed': 'Engine keeps crashing',
  'engine.status.incompatible': 'Engine version mismatch',
  'engine.status.pid': 'Engine process {pid}',
  'engine.status.crashes': 'Crashes since start: {count}',

  'train.run': 'Train',
  'train.stop': 'Stop',
  'train.run.hint': 'Train the graph on its dataset',
  'train.stop.hint': 'Stop training after the current batch',
  'train.loading': 'Loading data…',
  'train.progress': 'Epoch {epoch}/{epochs} · loss {loss}',
  'train.completed': 'Done: {epochs} epochs',
  'train.stopped': 'Stopped',
  'train.failed': 'Training failed: {message}',
  'train.refused': 'Cannot train: {message}',
  'train.lost': 'The run was lost when the engine crashed; your graph is unchanged.',
  'train.empty': 'Add nodes to the canvas first.',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Readonly<Record<MessageKey, string>>;
