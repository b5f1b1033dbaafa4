// The README is written by people; scripts may only replace what lies between a named pair of
// markers (`<!-- NAME:start -->` … `<!-- NAME:end -->`), and everything outside stays byte for byte.

/** The text between the markers of `name`, or throws when the README lacks them (or has them twice). */
export function readSection(text, name) {
  const { from, to } = locate(text, name);
  return text.slice(from, to);
}

/** `text` with the part between the markers of `name` replaced by `content` (a newline is kept on each side). */
export function replaceSection(text, name, content) {
  const { from, to } = locate(text, name);
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `${text.slice(0, from)}\n${body}${text.slice(to)}`;
}

function locate(text, name) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const first = text.indexOf(start);
  const last = text.indexOf(end);
  if (first === -1 || last === -1 || last < first) throw new Error(`README.md lacks the markers ${start} … ${end}`);
  if (text.indexOf(start, first + 1) !== -1 || text.indexOf(end, last + 1) !== -1) throw new Error(`README.md has the markers of ${name} twice`);
  return { from: first + start.length, to: last };
}
