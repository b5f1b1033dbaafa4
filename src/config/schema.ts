import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

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

/** schema.json sits at the package root, two levels above this file in both src/ and dist/. */
const SCHEMA_URL = new URL('../../schema.json', import.meta.url);

let cached: { schema: JsonSchema; validate: ValidateFunction } | undefined;

export function schemaText(): string {
  return readFileSync(SCHEMA_URL, 'utf8');
}

function compiled(): { schema: JsonSchema; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(schemaText()) as JsonSchema;
    // allErrors: report every problem of a file at once. useDefaults: the resolved config carries
    // every default, so `start` events show exactly what ran. verbose: messages need the schema
    // and value of each error. allowUnionTypes: `data` is a path string or a mapping.
    const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: true });
    cached = { schema, validate: ajv.compile(schema) };
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
