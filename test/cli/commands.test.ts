import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradcheckCommand } from '../../src/commands/gradcheck.js';
import type { RunIo } from '../../src/commands/run.js';
import { DW, fusedPass } from '../../src/neuron/pass.js';
import { cli, jsonLines, ROOT } from '../helpers.js';

function capture(): { io: RunIo; text: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
  return { io: { stdout: stream, stderr: stream }, text: () => text };
}

const EXAMPLES = ['linear', 'synthetic', 'early-stopping', 'minibatch', 'diverging', 'dead'];

describe('gradcheck', () => {
  for (const name of EXAMPLES) {
    it(`passes on configs/${name}.yaml`, () => {
      const result = cli(['gradcheck', `configs/${name}.yaml`]);
      expect(result.status, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/: PASS\n$/);
    });
  }

  it('fails (exit 1) on a deliberately wrong gradient, and names the parameter', () => {
    // The classic bug: forgetting relu' and summing (z − y)·x over inactive rows too, here for w[x2] only.
    const wrong: typeof fusedPass = (x, y, d, start, end, w, b, out) => {
      fusedPass(x, y, d, start, end, w, b, out);
      out[DW + 1] *= 1.001;
    };
    const { io, text } = capture();
    const code = gradcheckCommand(join(ROOT, 'configs/linear.yaml'), {}, io, wrong);
    expect(code).toBe(1);
    expect(text()).toMatch(/worst relative error [\d.e-]+ \(.*w\[x2\]\): FAIL\n$/);
  });

  it('notes points at the kink instead of failing them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-'));
    writeFileSync(join(dir, 'x.csv'), 'x,y\n1,1\n2,2\n-1,0\n');
    // w = 1, b = 1: the row x = −1 has z = 0 exactly, on the kink.
    writeFileSync(join(dir, 'kink.yaml'), 'data: x.csv\nlearning_rate: 0.01\nepochs: 1\ninit: {weights: [1], bias: 1}\n');
    const result = cli(['gradcheck', join(dir, 'kink.yaml')]);
    expect(result.stdout).toContain('1 row(s) have z within one step of the kink at 0');
  });
});

describe('replay and compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-logs-'));
  const fast = join(dir, 'fast.jsonl');
  const slow = join(dir, 'slow.jsonl');
  cli(['run', 'configs/linear.yaml', '--json', '--out', fast]);
  cli(['run', 'configs/linear.yaml', '--json', '--out', slow, '--set', 'learning_rate=0.01', '--set', 'name=slow']);

  it("replay without a terminal prints the run's own final numbers", () => {
    const end = jsonLines(readFileSync(fast, 'utf8')).pop() as { loss: number; epochs: number };
    const result = cli(['replay', fast]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`completed after ${end.epochs} epochs`);
    expect(result.stdout).toContain(`loss ${Number(end.loss.toPrecision(4))}`);
  });

  it('replay works on a log cut short, and refuses a file that is not a log at its first bad line', () => {
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, readFileSync(fast, 'utf8').split('\n').slice(0, 51).join('\n'));
    const result = cli(['replay', cut]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cut short after 50 epochs');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${readFileSync(fast, 'utf8').split('\n').slice(0, 3).join('\n')}\nnot json\n`);
    const refused = cli(['replay', bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`${bad}:4: not a neuron-tui log: line 4 is not JSON; expected JSON lines from \`neuron-tui run --json\` or \`--out\`\n`);
  });

  it('compare without a terminal prints a table with a column per setting that differs', () => {
    const result = cli(['compare', fast, slow]);
    expect(result.status).toBe(0);
    const [header, a, b] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^name\s+learning_rate\s+status\s+epochs\s+final loss\s+best loss\s+@ epoch$/);
    expect(a).toMatch(/^linear\s+0\.05\s+completed\s+300\s+0\.1534/);
    expect(b).toMatch(/^slow\s+0\.01\s+completed\s+300\s+/);
  });

  it('compare of one log twice labels them by file (no setting differs)', () => {
    const result = cli(['compare', fast, fast]);
    expect(result.status).toBe(0);
    const [header, a] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^run\s+status/);
    expect(a).toContain(`linear (${fast})`);
  });

  it('compare refuses more than six logs', () => {
    const result = cli(['compare', fast, fast, fast, fast, fast, fast, slow]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('compare takes at most 6 logs; got 7');
  });
});

describe('init', () => {
  it('writes a starter config that validates and trains as written, and will not overwrite it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-init-'));
    expect(cli(['init'], { cwd: dir }).stdout).toBe('wrote neuron.yaml; train it with: neuron-tui run neuron.yaml\n');
    expect(cli(['validate', 'neuron.yaml'], { cwd: dir }).status).toBe(0);
    const run = cli(['run', 'neuron.yaml', '--json'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(['completed', 'early_stopped']).toContain((jsonLines(run.stdout).pop() as { status: string }).status);
    const again = cli(['init'], { cwd: dir });
    expect(again.status).toBe(2);
    expect(again.stderr).toBe('neuron.yaml: already exists; choose another name, or add --force to overwrite it\n');
    expect(cli(['init', '--force'], { cwd: dir }).status).toBe(0);
  });

  it('has every key of the schema, each with a comment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-init-'));
    cli(['init', 'n.yaml'], { cwd: dir });
    const text = readFileSync(join(dir, 'n.yaml'), 'utf8');
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema.json'), 'utf8'));
    // stop_when is off by default: listed commented out.
    for (const key of Object.keys(schema.properties)) expect(text).toMatch(new RegExp(`^(# )?${key}:.*#`, 'm'));
    for (const parent of ['data', 'init', 'optimizer', 'schedule', 'early_stopping', 'stop_when']) {
      for (const key of Object.keys(schema.properties[parent].properties)) expect(text).toMatch(new RegExp(`^(# )? {2}(# )?${key}:.*#`, 'm'));
    }
  });
});

describe('--help and --version', () => {
  for (const command of ['', 'run', 'sweep', 'validate', 'gradcheck', 'inspect', 'predict', 'replay', 'compare', 'schema', 'init']) {
    it(`neuron-tui ${command} --help`, () => {
      const result = cli([...(command ? [command] : []), '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Example/);
      expect(result.stdout).toMatchSnapshot();
    });
  }

  it('--version prints the package version', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(cli(['--version']).stdout).toBe(`${version}\n`);
  });

  it('schema prints schema.json', () => {
    expect(cli(['schema']).stdout).toBe(readFileSync(join(ROOT, 'schema.json'), 'utf8'));
  });
});
