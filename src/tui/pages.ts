/** The live dashboard's pages; `tab` goes from one to the next. */
export const PAGES = ['training', 'neuron'] as const;
export type Page = (typeof PAGES)[number];

/** How each page is named in the keys line. */
export const PAGE_NAMES: Record<Page, string> = { training: 'training page', neuron: 'neuron page' };

/** The page `tab` shows after `page`. */
export function nextPage(page: Page): Page {
  return PAGES[(PAGES.indexOf(page) + 1) % PAGES.length];
}
