// Bundles the console into dist/ (committed): `make console` runs this.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
await esbuild.build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outfile: 'dist/app.js',
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync('src/index.html', 'dist/index.html');
// uPlot's stylesheet first, ours after it.
writeFileSync('dist/style.css',
  readFileSync('node_modules/uplot/dist/uPlot.min.css', 'utf8') + '\n' +
  readFileSync('src/style.css', 'utf8'));
console.log('console: dist/ built');
