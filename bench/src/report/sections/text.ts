import { escapeHtml } from '../html.js';

/** A short explanatory paragraph under a section title. */
export function leadParagraph(text: string): string {
  return `<p class="lead">${escapeHtml(text)}</p>`;
}
