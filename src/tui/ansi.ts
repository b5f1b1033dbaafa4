/**
 * The SGR codes of the Ink colour names the palette uses, as chalk writes them (foreground, closed
 * by 39): text painted here and drawn through Lines comes out exactly as <Text color> would draw it.
 */
const FOREGROUND: Record<string, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, blueBright: 94 };

/** `text` in the Ink colour `color`; unchanged without a colour (colour off) or for blanks. */
export function paint(text: string, color: string | undefined): string {
  const code = color === undefined ? undefined : FOREGROUND[color];
  if (code === undefined || text.trim() === '') return text;
  return `\u001b[${code}m${text}\u001b[39m`;
}
