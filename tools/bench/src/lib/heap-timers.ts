import type { HeapGraph } from './heap-snapshot';

/**
 * The timers armed in a heap snapshot, by the name of their callback
 * (`(anonymous)` for an arrow function, `native_bind` for a bound one).
 * A Node.js `Timeout` (or `Immediate`) is armed while it is linked into its
 * list: its `_idleNext` property then refers to another timer or to the
 * list itself; a fired or cleared one that is still referenced has `null`
 * there. An `Immediate` is pending while its `_onImmediate` is a function.
 * Counting objects named `Timeout` alone would count the spent ones too.
 */
export function armedTimers(graph: HeapGraph): Map<string, number> {
  const nodeWidth = graph.nodeFields.length;
  const edgeWidth = graph.edgeFields.length;
  const [typeAt, nameAt, edgeCountAt] = ['type', 'name', 'edge_count'].map((f) => graph.nodeFields.indexOf(f));
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map((f) => graph.edgeFields.indexOf(f));
  const { nodes, edges, strings } = graph;
  const objectType = graph.nodeTypes.indexOf('object');
  const property = graph.edgeTypes.indexOf('property');
  const [timeout, immediate, next, callback] = ['Timeout', 'Immediate', '_idleNext', '_onTimeout'].map((s) => strings.indexOf(s));
  const immediateCallback = strings.indexOf('_onImmediate');
  const armed = new Map<string, number>();
  let edge = 0;
  for (let at = 0; at < nodes.length; at += nodeWidth) {
    const count = nodes[at + edgeCountAt];
    const name = nodes[at + nameAt];
    if (nodes[at + typeAt] === objectType && (name === timeout || name === immediate)) {
      let linked = false;
      let pending = false;
      let fn = '(anonymous)';
      for (let e = edge; e < edge + count * edgeWidth; e += edgeWidth) {
        if (edges[e + edgeTypeAt] !== property) continue;
        const to = edges[e + edgeToAt];
        const toName = strings[nodes[to + nameAt]];
        if (edges[e + edgeNameAt] === next) linked = toName === 'Timeout' || toName === 'TimersList' || toName === 'Immediate' || toName === 'ImmediateList';
        if (edges[e + edgeNameAt] === callback || edges[e + edgeNameAt] === immediateCallback) {
          fn = toName || '(anonymous)';
          pending = graph.nodeTypes[nodes[to + typeAt]] === 'closure';
        }
      }
      if (name === timeout ? linked : pending) {
        const key = `${strings[name]} ${fn}`;
        armed.set(key, (armed.get(key) ?? 0) + 1);
      }
    }
    edge += count * edgeWidth;
  }
  return armed;
}
