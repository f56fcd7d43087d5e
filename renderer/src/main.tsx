// Renderer entry: loads the styles and mounts the app. React Flow's base stylesheet comes
// first so styles.css can override its variables for our themes.
import '@xyflow/react/dist/style.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getHost } from './host';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// Tag the document with its host so styles (and e2e tests) can tell Electron from a browser.
document.documentElement.dataset.host = getHost().kind;

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
