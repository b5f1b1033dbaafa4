import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageFile } from '../paths.js';
import { createValidator } from './validator.js';

/** The JSON Schema subset that schema.json uses; enough to describe what a key allows. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  minLength?: number;
}

let cached: { schema: JsonSchema; validate: ValidateFunction } | undefined;

export function schemaText(): string {
  return readFileSync(packageFile('schema.json'), 'utf8');
}

function compiled(): { schema: JsonSchema; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(schemaText()) as JsonSchema;
    cached = { schema, validate: createValidator(schema) };
  }
  return cached;
}

export function configSchema(): JsonSchema {
  return compiled().schema;
}

/** Validates in place (filling defaults); returns Ajv's errors, or an empty list. */
export function validateAgainstSchema(value: unknown): ErrorObject[] {
  const { validate } = compiled();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
