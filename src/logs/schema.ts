import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { packageFile } from '../paths.js';

/** The three events of a log, as log.schema.json names their definitions. */
export type EventType = 'start' | 'epoch' | 'end';

export function logSchemaText(): string {
  return readFileSync(packageFile('log.schema.json'), 'utf8');
}

let validators: Record<EventType, ValidateFunction> | undefined;

/** One validator per event type, compiled from the shipped log.schema.json on first use. */
export function eventValidator(type: EventType): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allowUnionTypes: true, strict: true });
    ajv.addSchema(JSON.parse(logSchemaText()) as object, 'log');
    const get = (name: EventType): ValidateFunction => ajv.getSchema(`log#/definitions/${name}`) as ValidateFunction;
    validators = { start: get('start'), epoch: get('epoch'), end: get('end') };
  }
  return validators[type];
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What a schema error means, in the words of the event: "`loss` is "low"; expected a number or null". */
export function describeEventError(type: EventType, event: unknown, error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1).join('.');
  const key = (name: string): string => `\`${name}\``;
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    const owner = path ? `the ${type} event's ${key(path)}` : `the ${type} event`;
    return `${owner} has no ${key(missing)}`;
  }
  let value: unknown = event;
  for (const part of error.instancePath.split('/').slice(1)) value = (value as Record<string, unknown>)[part];
  const expected =
    error.keyword === 'type'
      ? `expected ${String((error.params as { type: string }).type)
          .replace(/,/g, ' or ')
          .replace(/\bnull\b/, 'null (a non-finite value)')}`
      : error.keyword === 'enum'
        ? `expected one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
        : `it ${error.message ?? 'does not match the log format'}`;
  return `the ${type} event's ${key(path)} is ${shown(value)}; ${expected}`;
}
