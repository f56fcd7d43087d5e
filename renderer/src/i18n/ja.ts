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

  'engine.status.label': 'エンジン',
  'engine.status.connecting': '接続中…',
  'engine.status.connected': 'エンジン準備完了',
  'engine.status.training': '学習中',
  'engine.status.crashed': 'エンジン停止 — 再起動中',
  'engine.status.reconnected': 'エンジンを再起動しました',
  'engine.status.failed': 'エンジンの停止が続いています',
  'engine.status.incompatible': 'エンジンのバージョンが合いません',
  'engine.status.pid': 'エンジンのプロセス {pid}',
  'engine.status.crashes': '起動後の停止回数: {count}',

  'train.run': '学習',
  'train.stop': '停止',
  'train.run.hint': 'グラフをデータセットで学習します',
  'train.stop.hint': '今のバッチの後で学習を止めます',
  'train.loading': 'データを読み込み中…',
  'train.progress': 'エポック {epoch}/{epochs} · 損失 {loss}',
  'train.completed': '完了: {epochs} エポック',
  'train.stopped': '停止しました',
  'train.failed': '学習に失敗しました: {message}',
  'train.refused': '学習できません: {message}',
  'train.lost': 'エンジンが停止したため学習は中断されました。グラフはそのままです。',
  'train.empty': '先にキャンバスにノードを置いてください。',
};
