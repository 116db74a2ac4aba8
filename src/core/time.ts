/**
 * Times as HH:MM:SS (zero-padded; hours grow past 99 if they must), the form the model reads and
 * the agent's timestamp parser reads back. Callers differ in which way a fraction of a second
 * should go, so each function's name says it.
 */

/** To the nearest whole second. */
export function formatTimestamp(seconds: number): string {
  return hms(Math.round(seconds));
}

/** Rounded down to the whole second: never later than the time itself. */
export function formatTimestampFloor(seconds: number): string {
  return hms(Math.floor(seconds));
}

/**
 * HH:MM:SS, with tenths when the time is not a whole second: ten frames of a short window are
 * often less than a second apart, and whole seconds would print several at the same time.
 */
export function formatFrameTime(seconds: number): string {
  const tenths = Math.round(Math.max(0, seconds) * 10);
  const whole = Math.floor(tenths / 10);
  const fraction = tenths % 10;
  return fraction === 0 ? hms(whole) : `${hms(whole)}.${fraction}`;
}

/** MM:SS under an hour, HH:MM:SS from there, rounded down: how the SAGE release writes times in frame names. */
export function formatClipTime(seconds: number): string {
  const clock = formatTimestampFloor(seconds);
  return clock.startsWith('00:') ? clock.slice(3) : clock;
}

function hms(wholeSeconds: number): string {
  const total = Math.max(0, wholeSeconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  return [hours, minutes, secs].map((n) => String(n).padStart(2, '0')).join(':');
}
