import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Run in the page (a string: this workspace has no DOM types): for the text of every visible link and enabled button,
 * and of each element inside one, its WCAG contrast ratio with the first opaque background behind it, as the
 * browser computed both; those under 4.5:1.
 */
const LOW_CONTRAST = `(() => {
  const rgb = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (start) => {
    for (let el = start; el; el = el.parentElement) {
      const color = rgb(getComputedStyle(el).backgroundColor);
      if (color.length === 3 || color[3] >= 1) return color;
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const control of document.querySelectorAll('a, button:not(:disabled)')) {
    if (!control.offsetParent || !control.innerText.trim()) continue;
    for (const part of [control, ...control.querySelectorAll('*')]) {
      if (!part.innerText || !part.innerText.trim()) continue;
      const [a, b] = [luminance(rgb(getComputedStyle(part).color)), luminance(background(part))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) low.push('"' + part.innerText.trim() + '" ' + ratio.toFixed(2) + ':1');
    }
  }
  return low;
})()`;

/** Asserts that every visible link and enabled button on the page has at least WCAG AA's 4.5:1 text contrast. */
export async function expectReadableControls(page: Page): Promise<void> {
  expect(await page.evaluate<string[]>(LOW_CONTRAST), `controls under 4.5:1 on ${page.url()}`).toEqual([]);
}
