/** Times as the tools print them for the model. */
import { formatTimestamp } from '../agent/timestamps';

/**
 * HH:MM:SS, with tenths when the time is not a whole second: ten frames of a short window are
 * often less than a second apart, and whole seconds would print several at the same time.
 * The agent's timestamp parser reads both forms back.
 */
export function formatFrameTime(seconds: number): string {
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const whole = Math.floor(tenths / 10);
  const fraction = tenths % 10;
  return fraction === 0 ? formatTimestamp(whole) : `${formatTimestamp(whole)}.${fraction}`;
}
