import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { KEPT_EPOCHS, logOutcome, readRunLog } from '../../src/logs/read.js';
import { logSchemaText } from '../../src/logs/schema.js';
import { eventLine } from '../../src/sinks/jsonl.js';
import { Trainer } from '../../src/train/trainer.js';
import { cli, config, dataset, jsonLines, randomRows, ROOT } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-logs-'));
let files = 0;
function file(text: string | Uint8Array): string {
  const path = join(dir, `log${files++}.jsonl`);
  writeFileSync(path, text);
  return path;
}

function refusal(path: string): string {
  try {
    readRunLog(path);
  } catch (error) {
    if (error instanceof InputError) return `${error.problems[0].where}: ${error.problems[0].message}`;
    throw error;
  }
  throw new Error('expected the log to be refused');
}

/** A log made in-process, line for line what `run --json` writes. */
function recordedText(epochs: number, learningRate = 0.1): string {
  const train = randomRows(40, 2, 3, (x) => Math.max(0, 1 + x[0] - x[1]));
  let t = 0;
  const trainer = new Trainer(config({ learning_rate: learningRate, epochs, init: { weights: [0.1, 0.1], bias: 0.5 } }), dataset(train, 2), {
    clock: () => t++,
  });
  let text = eventLine(trainer.startEvent());
  while (trainer.status === null) text += eventLine(trainer.runEpoch());
  return text + eventLine(trainer.endEvent());
}

const START =
  '{"type":"start","config":{"name":"a","learning_rate":0.1,"epochs":3,"batch_size":"full","seed":0},"dataset":{"train":3,"validation":0,"features":["x"],"target":"y","source":"a.csv"}}';
function epochLine(epoch: number, loss: number | null): string {
  return JSON.stringify({
    type: 'epoch',
    epoch,
    loss,
    val_loss: null,
    active_ratio: 1,
    val_active_ratio: null,
    weight_norm: null,
    bias: 1,
    grad_norm: null,
    learning_rate: 0.1,
    elapsed_ms: epoch,
  });
}
const END =
  '{"type":"end","status":"diverged","epochs":2,"weights":[null],"bias":null,"loss":null,"val_loss":null,"best_epoch":1,"best_loss":4,"elapsed_ms":3}';

describe('reading logs', () => {
  it('reads null (a non-finite number) wherever run writes one: a diverged run replays', () => {
    const log = readRunLog(file([START, epochLine(1, 4), epochLine(2, null), END, ''].join('\n')));
    expect(log.epochs.map((e) => e.loss)).toEqual([4, NaN]);
    expect(log.epochs[1].weight_norm).toBeNaN();
    expect(log.epochs[1].val_loss).toBeNull(); // no validation set: null means "none"
    expect(log.end?.weights).toEqual([NaN]);
    expect(logOutcome(log)).toEqual({ status: 'diverged', epochs: 2, loss: NaN, best: { epoch: 1, loss: 4 } });
  });

  it('reads a log that starts with a byte order mark', () => {
    const log = readRunLog(file(`\uFEFF${[START, epochLine(1, 4), ''].join('\n')}`));
    expect(log.start.config.name).toBe('a');
    expect(logOutcome(log).status).toBe('cut short');
  });

  it('shows a log cut in the middle of a line as cut short, up to its last whole line', () => {
    const log = readRunLog(file(`${START}\n${epochLine(1, 4)}\n${epochLine(2, 3).slice(0, 30)}`));
    expect(log.cutMidLine).toBe(true);
    expect(logOutcome(log)).toMatchObject({ status: 'cut short', epochs: 1, loss: 4 });
  });

  it.each([
    ['a foreign start', '{"type":"start","config":{},"dataset":{}}\n', ":1: not a neuron-tui log: the start event's `config` has no `name`"],
    ['a config without name', `${START.replace('"name":"a",', '')}\n`, ":1: not a neuron-tui log: the start event's `config` has no `name`"],
    ['an end without weights', `${START}\n{"type":"end","status":"completed","epochs":3}\n`, ':2: not a neuron-tui log: the end event has no `weights`'],
    [
      'an unknown status',
      `${START}\n${END.replace('"diverged"', '"exploded"')}\n`,
      ':2: not a neuron-tui log: the end event\'s `status` is "exploded"; expected one of completed, early_stopped, converged, diverged, dead, interrupted',
    ],
    [
      'a word for a loss',
      `${START}\n${epochLine(1, 4).replace('4', '"low"')}\n`,
      ':2: not a neuron-tui log: the epoch event\'s `loss` is "low"; expected number or null (a non-finite value)',
    ],
    ['a line after end', `${START}\n${END}\n${epochLine(3, 1)}\n`, ':3: not a neuron-tui log: a line after the `end` event; a log ends with its `end` event'],
    ['a second start', `${START}\n${START}\n`, ':2: not a neuron-tui log: a second `start` event; a log holds one run (are two logs joined or interleaved?)'],
    [
      'interleaved epochs',
      `${START}\n${epochLine(2, 4)}\n${epochLine(1, 4)}\n`,
      ':3: not a neuron-tui log: epoch 1 comes after epoch 2; expected increasing epochs (are two logs interleaved?)',
    ],
    ['no start', `${epochLine(1, 4)}\n`, ':1: not a neuron-tui log: the first line is "epoch"; a log starts with the `start` event'],
    [
      'a line that is not JSON',
      `${START}\nnot json\n`,
      ':2: not a neuron-tui log: line 2 is not JSON; expected JSON lines from `neuron-tui run --json` or `--out`',
    ],
    [
      'a line that is not an event',
      `${START}\n[1,2]\n`,
      ':2: not a neuron-tui log: line 2 is not an event (an object with a `type`); expected JSON lines from `neuron-tui run --json` or `--out`',
    ],
    ['a sweep line', `${START}\n{"type":"sweep","runs":[]}\n`, ':2: not a neuron-tui log: unexpected event type "sweep"; expected start, epoch or end'],
    ['an empty file', '', ':1: not a neuron-tui log: the file is empty; expected JSON lines from `neuron-tui run --json` or `--out`'],
    ['a cut first line', START.slice(0, 50), ':1: not a neuron-tui log: the file ends inside line 1, before a whole `start` event'],
  ])('refuses %s at its line, saying what was expected', (_, text, message) => {
    const path = file(text);
    expect(refusal(path)).toBe(`${path}${message}`);
  });

  it('refuses a folder and a missing file in plain words', () => {
    const folder = join(dir, 'folder.jsonl');
    mkdirSync(folder);
    expect(refusal(folder)).toBe(`${folder}: cannot read the log: it is a folder; give a file written by \`neuron-tui run --out\``);
    expect(refusal(join(dir, 'none.jsonl'))).toBe(`${join(dir, 'none.jsonl')}: cannot read the log: no such file or folder`);
  });

  it('keeps memory bounded on a long log: the last epoch, the best and the count stay exact', () => {
    const n = 5 * KEPT_EPOCHS + 7;
    const lines = [START];
    for (let e = 1; e <= n; e++) lines.push(epochLine(e, e === 12345 ? 0.5 : 2 + Math.sin(e)));
    const log = readRunLog(file(`${lines.join('\n')}\n`));
    expect(log.epochCount).toBe(n);
    expect(log.epochs.length).toBeLessThanOrEqual(2 * KEPT_EPOCHS);
    expect(log.epochs[log.epochs.length - 1].epoch).toBe(n);
    expect(log.epochs.some((e) => e.epoch === 12345)).toBe(true); // the lowest point survives thinning
    expect(logOutcome(log)).toMatchObject({ status: 'cut short', epochs: n, best: { epoch: 12345, loss: 0.5 } });
    const epochs = log.epochs.map((e) => e.epoch);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
  });

  it('a log truncated at any byte replays as cut short, or is refused at a line', () => {
    const text = recordedText(30);
    const bytes = new TextEncoder().encode(text);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), (cut) => {
        const path = file(bytes.subarray(0, cut));
        try {
          const log = readRunLog(path);
          const complete = text.slice(0, cut).trimEnd() === text.trimEnd();
          expect(logOutcome(log).status).toBe(complete ? 'completed' : 'cut short');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).problems[0].where).toBe(`${path}:1`);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('log.schema.json', () => {
  const ajv = new Ajv({ allowUnionTypes: true, strict: true });
  const validate = ajv.compile(JSON.parse(logSchemaText()) as object);

  it('accepts every line of a recorded run and refuses a line of another kind', () => {
    for (const line of jsonLines(recordedText(20))) expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ type: 'epoch', epoch: 1 })).toBe(false);
    expect(validate({ type: 'sweep', runs: [] })).toBe(false);
  });

  it('allows the fields a later version may add: r2, val_r2, more config keys, more end fields', () => {
    const epoch = { ...(JSON.parse(epochLine(1, 4)) as object), r2: 0.9, val_r2: null };
    expect(validate(epoch)).toBe(true);
    expect(validate({ ...(JSON.parse(epochLine(1, 4)) as object), r2: 'high' })).toBe(false);
    const start = JSON.parse(START) as { config: Record<string, unknown> };
    start.config.optimizer = { type: 'adam' };
    expect(validate(start)).toBe(true);
    expect(validate({ ...(JSON.parse(END) as object), restored_epoch: 1 })).toBe(true);
  });

  it('is what `schema --log` prints', () => {
    const result = cli(['schema', '--log']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(ROOT, 'log.schema.json'), 'utf8'));
  });
});

describe("round trip: every example config's log replays and compares", () => {
  const configs = readdirSync(join(ROOT, 'configs'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const logs = configs.map((name) => {
    const out = join(dir, `${name}.jsonl`);
    const run = cli(['run', `configs/${name}`, '--json', '--out', out]);
    return { name, out, status: run.status, end: jsonLines(run.stdout).pop() as { status: string; epochs: number } };
  });

  it('includes a diverged and a dead run', () => {
    expect(logs.map((l) => l.end.status)).toEqual(expect.arrayContaining(['diverged', 'dead', 'completed']));
  });

  for (const [i, name] of configs.entries()) {
    it(`replays ${name}`, () => {
      const { out, end } = logs[i];
      const result = cli(['replay', out]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(`${end.status} after ${end.epochs} epochs`);
    });
  }

  it('compares them (at most six at once)', () => {
    for (let k = 0; k < logs.length; k += 6) {
      const batch = logs.slice(k, k + 6);
      const result = cli(['compare', ...batch.map((l) => l.out)]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout.trim().split('\n')).toHaveLength(batch.length + 1);
    }
  });
});
