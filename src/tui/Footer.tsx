import { Text } from 'ink';
import { exitCodeFor } from '../train/events.js';
import type { Palette } from './palette.js';
import { nextPage, PAGE_NAMES, type Page } from './pages.js';
import type { MetricsView } from './store.js';
import { safeText, wrapWords } from './text.js';

/** Files a run writes, named by the flag that asked for them. */
export interface Outputs {
  out?: string;
  saveWeights?: string;
}

/**
 * The live keys in one line, the most used first (every key is in the `?` overlay); with `page`,
 * which page is shown and where `tab` goes.
 */
export function liveKeys(view: MetricsView, page?: Page): string {
  const pause = view.state === 'paused' || view.state === 'pausing' ? 'space resume · s step' : 'space pause';
  if (!page) return `? keys · ${pause} · < > pace · f full speed · +/- lr · l log · m smooth · q quit`;
  // The chart keys (l, m) matter only on the training page; the least used go last, where a narrow
  // screen cuts (f, like every key, is in the ? overlay).
  const rest = page === 'training' ? '< > pace · l log · m smooth' : '< > pace · f max';
  return `${PAGE_NAMES[page]} · tab ${nextPage(page)} · ? keys · q quit · ${pause} · +/- lr · ${rest}`;
}

/** After the run: what was written, and what to do next. */
export function finishedLines(view: MetricsView, outputs: Outputs, width: number): string[] {
  const end = view.end!;
  const written = [
    outputs.out && `${safeText(outputs.out, 50)} (--out)`,
    outputs.saveWeights && `${safeText(outputs.saveWeights, 50)} (--save-weights)`,
  ].filter(Boolean);
  const wrote = written.length ? `wrote ${written.join(' and ')}` : 'nothing written';
  const next = outputs.out
    ? `next: neuron-tui replay ${safeText(outputs.out, 50)}, or compare it with another run`
    : 'next: add --out run.jsonl to keep the log, --save-weights w.json to keep the neuron';
  const code = `exit code ${exitCodeFor(end.status)}`;
  return wrapWords(`finished (${code}) · ${wrote} · ${next}`, Math.max(10, width));
}

/** The keys of a live run, or `keys` (a replay has its own), or the finished run's lines. */
export function Footer({ view, colors, lines, keys }: { view: MetricsView; colors: Palette; lines?: string[]; keys?: string }) {
  if (view.end) {
    return (
      <>
        {(lines ?? []).map((line, i) => (
          <Text key={i} dimColor={colors.dim} wrap="truncate-end">
            {line}
          </Text>
        ))}
      </>
    );
  }
  return (
    <Text wrap="truncate-end" dimColor={colors.dim}>
      {keys ?? liveKeys(view)}
    </Text>
  );
}
