/** Entry point: checks the Node version before anything that needs a newer one is loaded. */
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 17)) {
  console.error(
    `This server needs Node.js >= 22.17 (MikroORM 7); this is ${process.versions.node}. ` +
      'Start it with `npm start`, which uses the Node 24 that `npm install` puts in node_modules/.bin.',
  );
  process.exit(1);
}
await import('./server.js');
