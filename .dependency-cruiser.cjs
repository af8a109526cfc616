/**
 * Dependency rules checked in CI (`npm run lint:deps`): no import cycles, type-only imports
 * included, and `src/platform` (what every feature uses) depends on no feature and on none of the
 * wiring at the top of `src` that puts the features together. Cycles between feature folders
 * (src/modules/<feature>) through different files are checked by scripts/feature-cycles.mjs.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two files one unit that neither can be read or tested without the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'platform-depends-on-no-feature',
      comment: 'src/platform serves every feature; a feature it knows of would be a feature of its own.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: ['^src/modules/', '^src/(app|server|database|schema|websocket-server)\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
