// Builds the single embeddable file dist/route-advisor.js (IIFE, minified, CSS inlined).
// Usage: node build.mjs [--watch] [--dev]
import { readFile } from 'node:fs/promises';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const dev = process.argv.includes('--dev') || watch;
const pkg = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));

// Import .css files as a minified string (the widget puts it in its shadow root).
const cssAsText = {
  name: 'css-as-text',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const { code } = await esbuild.transform(source, { loader: 'css', minify: !dev });
      return { contents: `export default ${JSON.stringify(code)};`, loader: 'js' };
    });
  },
};

const options = {
  entryPoints: ['src/index.js'],
  bundle: true,
  format: 'iife',
  target: ['es2019', 'chrome80', 'firefox78', 'safari13'],
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  legalComments: 'none',
  outfile: 'dist/route-advisor.js',
  define: { __WIDGET_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: `/*! route-advisor widget ${pkg.version} | includes socket.io-client (MIT) */` },
  plugins: [cssAsText],
  logLevel: 'info',
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
