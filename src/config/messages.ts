import type { ErrorObject } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { keyPathText } from './keypath.js';
import type { JsonSchema } from './schema.js';

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  null: 'nothing',
};

const PLURAL_WORDS: Record<string, string> = { number: 'numbers', integer: 'whole numbers', string: 'strings' };

/** What a schema allows, in words: "a number > 0", "`full` or a whole number ≥ 1". */
export function allowedText(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(allowedText).join(' or ');
  if (schema.enum) {
    const values = schema.enum.map((v) => `\`${String(v)}\``);
    return values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  let text = types
    .map((t) => {
      if (t === 'array' && schema.items?.type && typeof schema.items.type === 'string') {
        return `a list of ${PLURAL_WORDS[schema.items.type] ?? TYPE_WORDS[schema.items.type]}`;
      }
      if (t === 'string' && schema.minLength === 1) return 'a non-empty string';
      return TYPE_WORDS[t] ?? t;
    })
    .join(' or ');
  const bounds: string[] = [];
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.minimum !== undefined) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
  if (schema.maximum !== undefined) bounds.push(`≤ ${schema.maximum}`);
  if (bounds.length) text += ` ${bounds.join(' and ')}`;
  if (schema.minItems !== undefined && schema.minItems > 0) {
    text += ` with at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`;
  }
  return text || 'a valid value';
}

/** The value the user wrote, in words. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return 'a mapping';
}

/** The nearest known name, if it is near enough to be a likely typo. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const best = closest(name.toLowerCase(), known as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(name.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

export type SchemaIssue =
  | { kind: 'unknown-key'; parent: (string | number)[]; key: string; message: string }
  | { kind: 'missing-key'; parent: (string | number)[]; key: string; message: string }
  | { kind: 'bad-value'; path: (string | number)[]; message: string };

function pathOf(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Turns Ajv's errors into one issue per problem: a value error per key (an `anyOf` error replaces
 * its branches' errors), an unknown-key error per key, a missing-key error per key.
 */
export function schemaIssues(errors: ErrorObject[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const valueErrorAt = new Map<string, ErrorObject>();
  for (const error of errors) {
    if (error.keyword === 'additionalProperties') {
      const parent = pathOf(error.instancePath);
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((error.parentSchema as JsonSchema).properties ?? {});
      const near = suggest(key, known);
      const inside = parent.length ? ` in \`${keyPathText(parent)}\`` : '';
      const hint = near ? `did you mean \`${near}\`?` : `allowed keys: ${known.map((k) => `\`${k}\``).join(', ')}`;
      issues.push({ kind: 'unknown-key', parent, key, message: `unknown key \`${key}\`${inside}; ${hint}` });
    } else if (error.keyword === 'required') {
      const parent = pathOf(error.instancePath);
      const key = String((error.params as { missingProperty: string }).missingProperty);
      const keySchema = (error.parentSchema as JsonSchema).properties?.[key];
      const what = keySchema ? ` (${allowedText(keySchema)}: ${keySchema.description ?? ''})` : '';
      const inside = parent.length ? `\`${keyPathText(parent)}\` is missing` : 'missing';
      issues.push({ kind: 'missing-key', parent, key, message: `${inside} required key \`${key}\`${what}` });
    } else if (error.keyword !== 'if') {
      // (An `if` error only says its `then` failed; the `then` branch's own error says what is wrong.)
      const previous = valueErrorAt.get(error.instancePath);
      // Errors inside an anyOf branch are replaced by the anyOf error, which names every option.
      if (!previous || error.keyword === 'anyOf') valueErrorAt.set(error.instancePath, error);
    }
  }
  for (const [pointer, error] of valueErrorAt) {
    const path = pathOf(pointer);
    const name = keyPathText(path) || 'the config';
    const schema = error.parentSchema as JsonSchema;
    let message = `\`${name}\` must be ${allowedText(schema)}, got ${valueText(error.data)}`;
    if (error.keyword === 'uniqueItems') message = `\`${name}\` must not repeat a name`;
    if (typeof error.data === 'number' && !Number.isFinite(error.data)) message += ' (NaN and infinities are not numbers here)';
    issues.push({ kind: 'bad-value', path, message });
  }
  return issues;
}
