/**
 * `npm run lint:deps`, second half: no cycle between feature folders (src/modules/<feature>), type
 * imports included. dependency-cruiser's own rules see cycles between files; two features can
 * still lean on each other through different files, which makes them one feature in two folders.
 */
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const FEATURE = /^src\/modules\/([^/]+)\//;

const { output } = await cruise(['src'], { tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' } }, undefined, {
  tsConfig: extractTSConfig('tsconfig.json'),
});

/** Feature -> the features it imports, with one file import that shows each edge. */
const edges = new Map();
for (const module of output.modules) {
  const from = FEATURE.exec(module.source)?.[1];
  if (!from) continue;
  for (const dependency of module.dependencies) {
    const to = FEATURE.exec(dependency.resolved)?.[1];
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} -> ${dependency.resolved}`);
  }
}

/** A cycle through the feature graph, as the list of features on it, or null. */
function findCycle() {
  const state = new Map(); // 1: on the current path, 2: done
  const path = [];
  const visit = (feature) => {
    state.set(feature, 1);
    path.push(feature);
    for (const next of edges.get(feature)?.keys() ?? []) {
      if (state.get(next) === 1) return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(feature, 2);
    return null;
  };
  for (const feature of edges.keys()) {
    const cycle = state.has(feature) ? null : visit(feature);
    if (cycle) return cycle;
  }
  return null;
}

const cycle = findCycle();
if (cycle) {
  console.error(`features depend on each other in a cycle: ${cycle.join(' -> ')}`);
  for (let index = 0; index < cycle.length - 1; index++) console.error(`  ${edges.get(cycle[index]).get(cycle[index + 1])}`);
  process.exit(1);
}
console.log(`✔ no cycle between the ${edges.size} feature folders that import others`);
