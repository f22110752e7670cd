/**
 * Building the pages' DOM. Text goes in with textContent only, never as HTML: questions, labels
 * and comments are written by members, and the Content-Security-Policy has no 'unsafe-inline' to
 * fall back on anyway.
 */
type Attributes = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children);
  return element;
}

/** Replaces an element's text only when it changed (screen readers re-announce live regions on every write). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

let lastId = 0;

/** A document-unique id for aria-labelledby (a dashboard shows many cards). */
export function uniqueId(prefix: string): string {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

const counts = new Intl.NumberFormat('en-US');

export function formatNumber(count: number): string {
  return counts.format(count);
}

export function formatCount(count: number, one: string, many: string): string {
  return `${counts.format(count)} ${count === 1 ? one : many}`;
}

const dateTimes = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  return dateTimes.format(new Date(iso));
}
