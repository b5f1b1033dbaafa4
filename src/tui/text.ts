/**
 * Text from data (column names, the config's name, paths) made safe for the terminal: control
 * characters shown escaped (\n, \x1b, ...), never sent; and cut to `max` characters with an
 * ellipsis, so a 100 KB column name costs the screen nothing.
 */
export function safeText(text: string, max = 60): string {
  // Cut first: escaping a huge name only to drop most of it would cost as much as drawing it.
  const head = text.length > max * 4 + 8 ? text.slice(0, max * 4 + 8) : text;
  const escaped = head.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  const chars = Array.from(escaped);
  return chars.length > max || head.length < text.length ? `${chars.slice(0, max - 1).join('')}…` : escaped;
}

/** Words wrapped at `width` columns, never breaking a word unless it is longer than a line. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      line = '';
    }
    if (!line) line = rest;
    else if (line.length + 1 + rest.length <= width) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}
