/**
 * The offline GraphQL IDE (GraphiQL 4, CodeMirror 5 editors: no web workers, nothing from a CDN):
 * bundled by src/web/build-assets.ts into dist/web/ide/, loaded by the page src/web/ide-page.ts
 * serves at GET /graphql.
 */
import { setNonce } from 'get-nonce';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_HEADERS, EXAMPLE_TABS } from './example-operations';
import { createIdeFetcher } from './fetcher';
import './page.css';

// The page's policy applies only <style> elements carrying its nonce (src/web/ide-page.ts); the
// <style> Radix's dialogs add (react-style-singleton) takes it from get-nonce. Browsers hide a
// nonce attribute's value from getAttribute: the property holds it.
setNonce(document.querySelector<HTMLMetaElement>('meta[name="csp-style-nonce"]')?.nonce ?? '');

const fetcher = createIdeFetcher();
const tabs = EXAMPLE_TABS.map((tab) => ({ ...tab, headers: DEFAULT_HEADERS }));

createRoot(document.getElementById('graphiql')!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={tabs}
      defaultHeaders={DEFAULT_HEADERS}
      // The token place: the headers editor, open from the start.
      defaultEditorToolsVisibility="headers"
      // Tokens stay out of localStorage unless the user turns this on in the settings.
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
