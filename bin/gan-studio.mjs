#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx gan-studio` works
// straight after `npm install` with no build step.

// Node 20 reached its end of life in April 2026, and the desktop tooling
// (electron, @electron/get, @electron/rebuild) requires 22.12. Say so in one
// line here, before anything that might fail in a less readable way on an
// older Node. Keep in step with package.json's "engines".
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `error: GAN Studio needs Node.js 22.12 or newer (an LTS release: 22 or 24); this is ${process.versions.node}. ` +
      'Install it from https://nodejs.org or your package manager, then run the command again.\n',
  );
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
