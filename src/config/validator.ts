import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The config validator, compiled from schema.json at run time. The build (scripts/build.mjs)
 * replaces this module with the same validator compiled ahead of time by Ajv's standalone code
 * generator, which saves ~80 ms of start-up; tests run this one, so both see the same options.
 */
export const AJV_OPTIONS = { allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: true } as const;

export function createValidator(schema: object): ValidateFunction {
  // allErrors: report every problem of a file at once. useDefaults: the resolved config carries
  // every default, so `start` events show exactly what ran. verbose: messages need the schema
  // and value of each error. allowUnionTypes: `data` is a path string or a mapping.
  return new Ajv(AJV_OPTIONS).compile(schema);
}
