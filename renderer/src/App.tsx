// The application shell: top bar over the editor, inside the providers every component
// relies on (i18n, React Flow's store).
import { ReactFlowProvider } from '@xyflow/react';
import { Editor } from './editor/Editor';
import { I18nProvider } from './i18n';
import { TopBar } from './shell/TopBar';
import { useTheme } from './shell/useTheme';

export function App() {
  const [theme, toggleTheme] = useTheme();
  return (
    <I18nProvider>
      <ReactFlowProvider>
        <div className="nw-app">
          <TopBar theme={theme} onToggleTheme={toggleTheme} />
          <Editor theme={theme} />
        </div>
      </ReactFlowProvider>
    </I18nProvider>
  );
}
