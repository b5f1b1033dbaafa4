import { Chalk } from 'chalk';
import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../src/tui/chart.js';
import { paint } from '../../src/tui/ansi.js';
import { Lines } from '../../src/tui/Lines.js';
import { palette } from '../../src/tui/palette.js';

const CYAN = '\u001b[36m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/** The lines in a bordered panel `width` wide, drawn by Lines or as one plain Text. */
function frame(lines: string[], width: number, plain: boolean): string | undefined {
  const ink = render(
    <Box flexDirection="column">
      <Box borderStyle="round" width={width} flexDirection="column">
        <Text>title ━ ◆</Text>
        {plain ? <Text>{lines.join('\n')}</Text> : <Lines lines={lines} width={width - 2} />}
      </Box>
      <Text>below</Text>
    </Box>,
  );
  const out = ink.lastFrame();
  ink.unmount();
  return out;
}

describe('Lines', () => {
  it('draws exactly what one Text of the same lines draws: glyphs, colours, short, blank and padded lines', () => {
    const lines = [
      `      1.1 ┤${CYAN}╭──╮${RESET}    ${DIM}${CYAN}╎╎${RESET}     `,
      '',
      '  ┄┄┄ ◆ ×',
      `${CYAN}    ${RESET}coloured blanks stay`,
      '                    ',
      `    epoch  1        50     100`,
    ];
    expect(frame(lines, 32, false)).toBe(frame(lines, 32, true));
  });

  it('draws a chart as its Text would, with and without colour', () => {
    const values = Array.from({ length: 300 }, (_, i) => 1 / (i + 1) + (i % 37 === 0 ? 0.3 : 0));
    for (const color of [CYAN, undefined]) {
      const lines = renderChart(
        [
          { values, color },
          { values: values.map((v) => v * 1.2), color, dotted: true },
        ],
        {
          width: 58,
          height: 12,
          epochs: { first: 1, last: 300 },
        },
      );
      expect(frame(lines, 60, false)).toBe(frame(lines, 60, true));
    }
  });

  it('takes the room of its lines: what follows starts below them', () => {
    const out = frame(['a', 'b', 'c'], 12, false) ?? '';
    expect(out.split('\n').indexOf('below')).toBe(6); // border, title, 3 lines, border
  });
});

describe('paint', () => {
  it('colours text as chalk does for each colour of the palette, so Ink draws it as it draws <Text color>', () => {
    const chalk = new Chalk({ level: 1 });
    const names = Object.values(palette(true)).filter((v): v is string => typeof v === 'string' && !v.startsWith('\u001b'));
    expect(names.length).toBeGreaterThan(4);
    for (const name of names) {
      const style = chalk[name as 'cyan'];
      expect(paint('⠿ ∘ █', name), name).toBe(style('⠿ ∘ █'));
    }
  });

  it('leaves text alone without a colour, and blanks (a coloured blank looks like any other)', () => {
    expect(paint('∘∘', undefined)).toBe('∘∘');
    expect(paint('   ', 'red')).toBe('   ');
  });
});
