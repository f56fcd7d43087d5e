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
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Readonly<Record<MessageKey, string>>;
