// Bundles the console into dist/ (committed): `make console` runs this.
// usage: node build.mjs [OUTDIR]   (default: dist/ beside this file)
// CONSOLE_NODE_MODULES names another node_modules (the suite's check that the
// committed bundle is what the sources make).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = resolve(process.env.CONSOLE_NODE_MODULES || join(here, 'node_modules'));
const out = resolve(process.argv[2] || join(here, 'dist'));
const esbuild = createRequire(join(modules, 'noop.js'))('esbuild');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outfile: join(out, 'app.js'),
  nodePaths: [modules],
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src/index.html'), join(out, 'index.html'));
// uPlot's stylesheet first, ours after it.
writeFileSync(join(out, 'style.css'),
  readFileSync(join(modules, 'uplot/dist/uPlot.min.css'), 'utf8') + '\n' +
  readFileSync(join(here, 'src/style.css'), 'utf8'));
console.log(`console: ${out} built`);
