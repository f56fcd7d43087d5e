// The IPC channel names shared by the main process and the preload. Names only: the sandboxed
// preload bundles everything it imports, so the argument schemas live in ipcArgs.ts (main only).

export const IPC = {
  filesRoots: 'netwright:files.roots',
  filesList: 'netwright:files.list',
  filesRead: 'netwright:files.read',
  filesWrite: 'netwright:files.write',
  dialogOpen: 'netwright:dialog.open',
  dialogSave: 'netwright:dialog.save',
  recentList: 'netwright:recent.list',
  recentAdd: 'netwright:recent.add',
  recentClear: 'netwright:recent.clear',
  /** Renderer → main: make a new engine port for me (answers the port's nonce). */
  engineConnect: 'netwright:engine.connect',
  /** Main → renderer: the port itself, with its nonce. */
  enginePort: 'netwright:engine.port',
  /** Main → renderer: the engine process started, crashed, was restarted. */
  engineLifecycle: 'netwright:engine.lifecycle',
} as const;
