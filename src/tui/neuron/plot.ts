/**
 * A character grid for scatter plots: points as braille dots (2 × 4 a cell), a second kind of
 * point as its own mark, and a reference line, so that they stay apart without colour.
 */

/** What a run of characters shows; the components colour runs by kind. */
export type Kind = 'point' | 'other' | 'line' | 'blank';

export interface Run {
  kind: Kind;
  text: string;
}

/** Marks of the second kind of point and of the line. */
export const OTHER_MARK = '∘';
export const LINE_MARK = '·';

// Braille dot bits by (column, row) within a cell: Unicode's U+2800 block.
const DOT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

export interface Range {
  min: number;
  max: number;
}

/** min and max of the values, widened when they are all equal so that a scale exists. */
export function rangeOf(...lists: ArrayLike<number>[]): Range {
  let min = Infinity;
  let max = -Infinity;
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Infinity) return { min: 0, max: 1 };
  if (min === max) return { min: min - 1, max: max + 1 };
  return { min, max };
}

export class Grid {
  private readonly dots: Uint8Array;
  private readonly other: Uint8Array;
  private readonly line: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly x: Range,
    readonly y: Range,
  ) {
    this.dots = new Uint8Array(width * height);
    this.other = new Uint8Array(width * height);
    this.line = new Uint8Array(width * height);
  }

  /** Dot coordinates (2 a column, 4 a row, y up) of a value pair; null outside the ranges. */
  private dot(vx: number, vy: number): [number, number] | null {
    const fx = (vx - this.x.min) / (this.x.max - this.x.min);
    const fy = (vy - this.y.min) / (this.y.max - this.y.min);
    if (!(fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1)) return null;
    const px = Math.min(this.width * 2 - 1, Math.floor(fx * this.width * 2));
    const py = Math.min(this.height * 4 - 1, Math.floor((1 - fy) * this.height * 4));
    return [px, py];
  }

  point(vx: number, vy: number, other = false): void {
    const at = this.dot(vx, vy);
    if (!at) return;
    const cell = Math.floor(at[1] / 4) * this.width + Math.floor(at[0] / 2);
    if (other) this.other[cell] = 1;
    else this.dots[cell] |= DOT[at[0] % 2][at[1] % 4];
  }

  /** A line y = f(x), one mark in each column where it is inside the y range. */
  curve(f: (x: number) => number): void {
    for (let c = 0; c < this.width; c++) {
      const vx = this.x.min + ((c + 0.5) / this.width) * (this.x.max - this.x.min);
      const at = this.dot(vx, f(vx));
      if (at) this.line[Math.floor(at[1] / 4) * this.width + c] = 1;
    }
  }

  /** Rows of runs, top first. The other kind (inactive rows) covers points, which cover the line. */
  runs(): Run[][] {
    const lines: Run[][] = [];
    for (let r = 0; r < this.height; r++) {
      const line: Run[] = [];
      for (let c = 0; c < this.width; c++) {
        const cell = r * this.width + c;
        const [kind, ch]: [Kind, string] = this.other[cell]
          ? ['other', OTHER_MARK]
          : this.dots[cell]
            ? ['point', String.fromCharCode(0x2800 + this.dots[cell])]
            : this.line[cell]
              ? ['line', LINE_MARK]
              : ['blank', ' '];
        const last = line[line.length - 1];
        if (last && last.kind === kind) last.text += ch;
        else line.push({ kind, text: ch });
      }
      lines.push(line);
    }
    return lines;
  }
}

/** A signed bar of `width` cells centred on │: value/scale of the half-width, left when negative. */
export function signedBar(value: number, scale: number, width: number): string {
  const half = Math.floor((width - 1) / 2);
  const share = scale > 0 && Number.isFinite(value) ? Math.min(1, Math.abs(value) / scale) : 0;
  const length = Math.round(share * half);
  const left = value < 0 ? ' '.repeat(half - length) + '█'.repeat(length) : ' '.repeat(half);
  const right = value > 0 ? '█'.repeat(length) + ' '.repeat(half - length) : ' '.repeat(half);
  return `${left}│${right}`.padEnd(width);
}
