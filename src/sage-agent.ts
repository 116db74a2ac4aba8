/** Entry of the app page and of the widget build: defines `<sage-agent>`. */
import { defineSageAgent } from './ui/sage-agent-element';

export { SageAgentElement, defineSageAgent, type SageAgentErrorDetail, type SageAgentEventMap } from './ui/sage-agent-element';

defineSageAgent();
