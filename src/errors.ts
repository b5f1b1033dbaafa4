/**
 * A problem with the user's input (config, flags, CSV): where it is, what is wrong, what would be right.
 * Problems are values until the CLI prints them; they never carry a stack trace to the user.
 */
export interface Problem {
  /** `file:line:col`, `file:line`, `--set key=value`, or a flag name. */
  where: string;
  /** What is wrong and what would be right, in one or two sentences. */
  message: string;
  /** Optional code frame: the offending line(s) with a caret under the spot. */
  frame?: string;
}

export class InputError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(formatProblems(problems).join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }
}

export function inputError(where: string, message: string, frame?: string): InputError {
  return new InputError([{ where, message, frame }]);
}

export function formatProblem(p: Problem): string {
  const head = `${p.where}: ${p.message}`;
  return p.frame ? `${head}\n${p.frame}` : head;
}

/** Printed problems stop here: 10,000 unknown keys are one mistake repeated, not 30,000 lines to read. */
export const MAX_PRINTED_PROBLEMS = 20;

/** The problems as printed: the first MAX_PRINTED_PROBLEMS, then one line counting the rest. */
export function formatProblems(problems: readonly Problem[], limit = MAX_PRINTED_PROBLEMS): string[] {
  const shown = problems.slice(0, limit).map(formatProblem);
  const rest = problems.length - shown.length;
  if (rest > 0) shown.push(`… and ${rest} more problem${rest === 1 ? '' : 's'} (fix the ones above first)`);
  return shown;
}
