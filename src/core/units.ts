/** Sizes as people read them, in one style everywhere (the page, the device line, the chooser's notes). */

/** Binary units, whole numbers from 10 up and one decimal below: "4 GB", "1.5 GB", "237 KB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = value >= 10 || unit === 0 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[unit]}`;
}

/** A size in MB (2^20 bytes), the registry's unit. */
export function formatMegabytes(mb: number): string {
  return formatBytes(mb * 2 ** 20);
}
