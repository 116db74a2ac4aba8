/** Entry of the full app page: the `<sage-agent>` element, and the service worker for offline use. */
import './sage-agent';
import { registerAppShell } from './offline/app-shell';

void registerAppShell();
