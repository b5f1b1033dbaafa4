// Builds dist/: one bundle of the CLI with lazily loaded chunks (the dashboard's Ink and React are
// bundled into the chunks that only a shown screen loads), and the config validator compiled ahead of time.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
// The same options as src/config/validator.ts, which the tests run; the build stops if they differ.
const AJV_OPTIONS = { allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: true };
const source = readFileSync(new URL('src/config/validator.ts', root), 'utf8');
for (const [key, value] of Object.entries(AJV_OPTIONS)) {
  if (!source.includes(`${key}: ${value}`)) throw new Error(`scripts/build.mjs: Ajv option ${key} differs from src/config/validator.ts`);
}

const schema = JSON.parse(readFileSync(new URL('schema.json', root), 'utf8'));
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
const validate = ajv.compile(schema);
const generated = new URL('build/validate-config.mjs', root);
mkdirSync(new URL('build/', root), { recursive: true });
writeFileSync(generated, `${standaloneCode(ajv, validate)}\nexport function createValidator() { return validate; }\n`);

rmSync(new URL('dist/', root), { recursive: true, force: true });
await build({
  // The dashboard's training thread is its own entry: src/train/session.ts starts it from
  // dist/train-worker.js, next to the chunk that holds the session.
  entryPoints: { cli: new URL('src/cli.ts', root).pathname, 'train-worker': new URL('src/train/worker.ts', root).pathname },
  outdir: new URL('dist/', root).pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Ink, React and their dependencies are bundled: loaded from node_modules they are some 150
  // modules for Node to resolve, read and link, which took about a second before the first frame
  // (0.2 s bundled). Ink's devtools load only with DEV=true, from the user's own install.
  external: ['react-devtools-core'],
  // Yoga (Ink's layout) decodes its inlined WebAssembly through fetch() whenever fetch exists; in Node
  // the first look at fetch loads undici, some 0.1 s before the first frame. Nothing in the bundle
  // fetches anything, so it is built without fetch, and Yoga decodes the bytes itself.
  define: { fetch: 'undefined' },
  jsx: 'automatic',
  // Bundled CommonJS (Ajv's runtime helpers) may call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [
    {
      name: 'precompiled-validator',
      setup(b) {
        b.onResolve({ filter: /\/validator\.js$/ }, (args) => (args.importer.endsWith('/src/config/schema.ts') ? { path: generated.pathname } : undefined));
      },
    },
  ],
});
chmodSync(new URL('dist/cli.js', root), 0o755);
