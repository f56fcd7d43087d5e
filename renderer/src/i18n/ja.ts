// Japanese UI strings. Typed as `Messages`, so a key missing here or unknown in en.ts fails
// type-checking; i18n.test.ts checks the same at run time.
import type { Messages } from './en';

export const ja: Messages = {
  'app.name': 'Netwright',
  'app.tagline': 'ニューラルネットワーク設計ツール',

  'topbar.language': '言語',
  'topbar.theme.toDark': 'ダークテーマに切り替え',
  'topbar.theme.toLight': 'ライトテーマに切り替え',

  'palette.title': 'ノード',
  'palette.search.label': 'ノードを検索',
  'palette.search.placeholder': 'ノードを検索…',
  'palette.empty.catalog': '利用できるノードの種類がまだありません。',
  'palette.empty.search': '「{query}」に一致するノードはありません。',
  'palette.item.hint': 'キャンバスにドラッグ、または Enter で追加',

  'family.input': '入力',
  'family.dense': '全結合',
  'family.activation': '活性化関数',
  'family.convolution': '畳み込み',
  'family.regularization': '正則化',
  'family.structure': '構造',
  'family.loss': '損失関数',

  'canvas.label': 'ネットワークキャンバス',
  'canvas.empty.title': 'ネットワークを作りましょう',
  'canvas.empty.body': 'パレットからノードをキャンバスにドラッグしてください。',

  'inspector.title': 'インスペクター',
  'inspector.placeholder': 'ノードを選択するとパラメータを編集できます',
  'inspector.multiple': '{count} 個のノードを選択中',
  'inspector.type': '種類',
  'inspector.family': 'ファミリー',
  'inspector.paramsSoon': 'パラメータの編集は近日対応予定です。',

  'node.unknown': '不明なノードの種類',
};
