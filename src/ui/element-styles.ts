/** The element's stylesheet, constructed once and adopted by every instance's shadow root. */
import css from './sage-agent.css?inline';

let sheet: CSSStyleSheet | null = null;

/** One constructed sheet shared by every instance; no <style> element, so no 'unsafe-inline' under CSP. */
export function elementStyles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  return sheet;
}
