/** A key path into the config, as Ajv and `--set` name it: `['data', 'features', 1]`. */
export type KeyPath = readonly (string | number)[];

/** `data.features[1]`: how a key path reads in messages. */
export function keyPathText(path: KeyPath): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : text ? `.${key}` : key;
  return text;
}
