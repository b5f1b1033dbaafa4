import { Box, Text } from 'ink';
import { formatNumber, formatPercent } from '../../format.js';
import type { Palette } from '../palette.js';
import type { NeuronPageData } from './data.js';
import { Fit } from './Fit.js';
import { gradientRows, Gradients } from './Gradients.js';
import { Kink } from './Kink.js';
import { rateWarnings, StepSize } from './StepSize.js';

export interface NeuronPageProps {
  data: NeuronPageData;
  /** The rate the next epoch uses (after `+`/`-`). */
  learningRate: number;
  width: number;
  height: number;
  colors: Palette;
}

/** Below this width (or height) the four panels cannot fit: the compact form. */
export const MIN_WIDTH = 60;
export const MIN_HEIGHT = 20;

/** The page in a few lines: activity, curvature and the rate against its limit, the largest gradients. */
function Compact({ data, learningRate, width, colors }: NeuronPageProps) {
  const c = data.curvature;
  const top = [...gradientRows(data)].sort((a, b) => Math.abs(b.gradient) - Math.abs(a.gradient)).slice(0, 3);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        active {data.active}/{data.counted} · dead {formatPercent(data.deadShare)} · flips {data.flips ?? '—'}
      </Text>
      <Text wrap="truncate-end">
        λmax {formatNumber(c.lambdaMax)} · cond {formatNumber(c.condition)}
      </Text>
      <Text wrap="truncate-end">
        rate {formatNumber(learningRate)} · limit {formatNumber(c.lrLimit)} · best {formatNumber(c.lrFastest)}
      </Text>
      <Text wrap="truncate-end">∂C/∂θ {top.map((r) => `${r.name} ${formatNumber(r.gradient, 2)}`).join(' · ')}</Text>
      {rateWarnings(learningRate, c.lrLimit).map((w) => (
        <Text key={w.text} wrap="wrap" color={w.severe ? colors.bad : colors.warn}>
          ⚠ {w.text}
        </Text>
      ))}
    </Box>
  );
}

/**
 * The neuron page: the fit and the kink side by side on top, gradients and step size below,
 * never taller than `height`. Pure: props in, elements out.
 */
export function NeuronPage(props: NeuronPageProps) {
  const { data, learningRate, width, height, colors } = props;
  if (width < MIN_WIDTH || height < MIN_HEIGHT) return <Compact {...props} />;
  const left = Math.floor(width / 2);
  const right = width - left;
  // Step size needs 9 lines and borders (a rate warning wraps to three lines at 100 columns);
  // gradients want a line a parameter, up to a third of the page.
  const bottom = Math.max(11, Math.min(data.d + 5, Math.floor(height / 3)));
  const top = height - bottom;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box flexDirection="row">
        <Fit data={data} width={left} height={top} colors={colors} />
        <Kink data={data} width={right} height={top} colors={colors} />
      </Box>
      <Box flexDirection="row">
        <Gradients data={data} width={left} height={bottom} colors={colors} />
        <StepSize data={data} learningRate={learningRate} width={right} height={bottom} colors={colors} />
      </Box>
    </Box>
  );
}
