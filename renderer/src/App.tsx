// The application shell: top bar over the editor, inside the providers every component
// relies on (i18n, React Flow's store). The editor owns the document; the top bar's Train
// button and the e2e test API read it through the editor's handle.
import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useRef } from 'react';
import { Editor, type EditorHandle } from './editor/Editor';
import { getEngine } from './host';
import { I18nProvider } from './i18n';
import { TopBar } from './shell/TopBar';
import { useTheme } from './shell/useTheme';
import { installTestApi } from './testApi';
import { TrainDock } from './train/TrainDock';

export function App() {
  const [theme, toggleTheme] = useTheme();
  const editor = useRef<EditorHandle>(null);
  const getDocument = useCallback(() => editor.current?.getDocument() ?? null, []);

  useEffect(() => {
    getEngine();
    return installTestApi(() => editor.current);
  }, []);

  return (
    <I18nProvider>
      <ReactFlowProvider>
        <div className="nw-app">
          <TopBar theme={theme} onToggleTheme={toggleTheme} getDocument={getDocument} />
          <Editor theme={theme} ref={editor} />
          <TrainDock />
        </div>
      </ReactFlowProvider>
    </I18nProvider>
  );
}
