import type { KeyPath } from './keypath.js';

/** The keys each optimizer and schedule type takes (schema.json fills their defaults by type). */
const OWN_KEYS: Record<'optimizer' | 'schedule', Record<string, string[]>> = {
  optimizer: { sgd: [], momentum: ['momentum', 'nesterov'], adam: ['beta1', 'beta2', 'epsilon'] },
  schedule: { constant: [], step: ['every', 'factor'], exponential: ['factor'], cosine: ['min'], plateau: ['factor', 'patience', 'min'] },
};
const SHARED_KEYS: Record<'optimizer' | 'schedule', string[]> = { optimizer: ['type'], schedule: ['type', 'warmup_epochs'] };
const INIT_FROM_EXCLUDES = ['weights', 'distribution', 'scale'];

export interface OptionIssue {
  parent: KeyPath;
  key: string;
  message: string;
}

const list = (keys: string[]): string => (keys.length ? keys.map((k) => `\`${k}\``).join(', ') : 'no other keys');

/**
 * What the schema cannot say for the training options of a schema-valid config: a key of another
 * optimizer or schedule type (`beta1` on momentum), an empty `stop_when`, and `init.from` mixed
 * with other inits. Also
 * drops the bias default that the schema fills in beside `init.from` (the file gives the bias).
 */
export function trainingOptionIssues(config: Record<string, unknown>): OptionIssue[] {
  const issues: OptionIssue[] = [];
  for (const option of ['optimizer', 'schedule'] as const) {
    const value = config[option] as Record<string, unknown> | undefined;
    if (!value) continue;
    const type = String(value.type);
    const own = OWN_KEYS[option][type];
    for (const key of Object.keys(value)) {
      if (own.includes(key) || SHARED_KEYS[option].includes(key)) continue;
      const owners = Object.entries(OWN_KEYS[option])
        .filter(([, keys]) => keys.includes(key))
        .map(([t]) => `\`${t}\``);
      issues.push({
        parent: [option],
        key,
        message: `\`${option}.${key}\` is a setting of ${owners.join(' and ')}, not of \`${type}\`; \`${type}\` takes ${list(own)}`,
      });
    }
  }
  const stop = config.stop_when as Record<string, unknown> | undefined;
  if (stop && Object.keys(stop).length === 0) {
    issues.push({ parent: [], key: 'stop_when', message: '`stop_when` is empty; give `grad_norm_below`, `loss_below` or both (or remove it)' });
  }
  const init = config.init as Record<string, unknown> | undefined;
  if (init && init.from !== undefined) {
    delete init.bias;
    for (const key of INIT_FROM_EXCLUDES) {
      if (init[key] !== undefined) {
        issues.push({ parent: ['init'], key, message: `\`init.from\` gives the weights and bias; remove \`init.${key}\`, or remove \`init.from\`` });
      }
    }
  }
  return issues;
}
