import { Transform } from 'ink';

/** The blank block Ink measures in place of `height` lines of `width` columns (see Lines). */
const blanks = new Map<string, string>();
function blankBlock(width: number, height: number): string {
  const key = `${width}x${height}`;
  let block = blanks.get(key);
  if (block === undefined) {
    block = new Array<string>(height).fill(' '.repeat(width)).join('\n');
    blanks.set(key, block);
  }
  return block;
}

/**
 * Lines drawn ahead (a chart), each at most `width` columns of one-column characters, shown as one
 * text node. Ink measures a text's width with string-width on every frame, and box-drawing glyphs
 * take its slow path (a grapheme segmenter and several Unicode regexps per character: most of a
 * frame's CPU). So Ink lays out a blank block of the same size, which takes string-width's ASCII
 * path and is the same string every frame (Ink caches its measure), and the lines replace it as it
 * is written. Trailing blanks are dropped: Ink's screen is blank there already, and every
 * character written costs a tokenizer step. Only for text whose every character is one column (glyphs
 * and numbers we draw, not names from the data); a box that clips (overflow hidden) clips the block,
 * not the lines in it, so they must fit.
 */
export function Lines({ lines, width }: { lines: readonly string[]; width: number }) {
  if (lines.length === 0) return null;
  return <Transform transform={(_, index) => (lines[index] ?? '').replace(/ +$/, '')}>{blankBlock(width, lines.length)}</Transform>;
}
