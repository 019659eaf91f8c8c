/**
 * Capacitor wraps the production build of the web app (`npm run build`) into the native
 * Android and iOS projects (`android/`, `ios/`). The app inside talks to the server
 * fixed at build time (`FIELDBOOK_SERVER_URL`, see `scripts/cap-sync.ts`); the server's
 * CORS allowlist already admits the WebView origins (`https://localhost` on Android,
 * `capacitor://localhost` on iOS).
 */
import type { CapacitorConfig } from '@capacitor/cli';

const config: CapacitorConfig = {
  appId: 'app.fieldbook',
  appName: 'Fieldbook',
  webDir: 'dist/fieldbook/browser',
  android: {
    // A development server over plain http (`FIELDBOOK_SERVER_URL=http://…`) needs it.
    allowMixedContent: process.env['FIELDBOOK_SERVER_URL']?.startsWith('http:') ?? false,
  },
};

export default config;
