import type { HeapGraph } from './heap-snapshot';

/** The Maps and Sets held under one name, and their entries together. */
export interface CollectionGroup {
  /** How many collections hold this name. */
  collections: number;
  /** Their live entries, summed. */
  entries: number;
}

/**
 * Every `Map` and `Set` (and subclass) of a heap snapshot, grouped by where
 * it is held: `<holder's constructor>.<property>` (`Grace.byClient`,
 * `AccountedKeys` subclasses of Set included), `<group>[]` for collections
 * held as values in another collection (the `Set` per client in
 * `Grace.byClient`), followed by the collection's own class in brackets when
 * it is a subclass (`Object.pages (AccountedKeys)`), `(in <holder>)` when held otherwise (an array's
 * element), `(unreferenced)` when no holder is found. Read from the
 * snapshot's own structure, so that a process's registry sizes are seen from
 * outside without any debug endpoint:
 *
 * - a collection is an object with an internal `table` edge to an
 *   `OrderedHashMap` (3 header slots, `capacity / 2` buckets, then
 *   `capacity` entries of 3 slots: key, value, chain) or `OrderedHashSet`
 *   (2 slots: key, chain); the table's length, from its self size, gives its
 *   capacity, which is a power of two;
 * - V8 records an edge from the table only to a heap object (no small
 *   integer, no `undefined` or hole, which a deleted entry holds): an entry
 *   is live when its key or its value has an edge. An entry whose key and
 *   value are both small integers is not seen (none of Presently's).
 */
export function collectionGroups(graph: HeapGraph): Map<string, CollectionGroup> {
  const nodeWidth = graph.nodeFields.length;
  const edgeWidth = graph.edgeFields.length;
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map((f) => graph.nodeFields.indexOf(f));
  const [edgeTypeAt, edgeNameAt, edgeToAt] = ['type', 'name_or_index', 'to_node'].map((f) => graph.edgeFields.indexOf(f));
  const { nodes, edges, strings } = graph;
  const nodeCount = nodes.length / nodeWidth;
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) firstEdge[n + 1] = firstEdge[n] + nodes[n * nodeWidth + edgeCountAt] * edgeWidth;
  const internal = graph.edgeTypes.indexOf('internal');
  const property = graph.edgeTypes.indexOf('property');
  const objectType = graph.nodeTypes.indexOf('object');
  const tableName = strings.indexOf('table');

  /** node index of a collection → its table's node index; and table → collection. */
  const tableOf = new Map<number, number>();
  const collectionOf = new Map<number, number>();
  for (let n = 0; n < nodeCount; n++) {
    if (nodes[n * nodeWidth + typeAt] !== objectType) continue;
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += edgeWidth) {
      if (edges[e + edgeTypeAt] !== internal || edges[e + edgeNameAt] !== tableName) continue;
      const table = edges[e + edgeToAt] / nodeWidth;
      if (layout(nodes[table * nodeWidth + sizeAt]) === null) break;
      tableOf.set(n, table);
      collectionOf.set(table, n);
      break;
    }
  }

  // Who holds each collection: a property (or closure variable), else another collection's table, else anything.
  // Among several holders of one kind, the least name wins, so that two snapshots label alike.
  const heldBy = new Map<number, string>();
  const inTable = new Map<number, number>();
  const otherwise = new Map<number, string>();
  const context = graph.edgeTypes.indexOf('context');
  for (let n = 0; n < nodeCount; n++) {
    const table = collectionOf.has(n);
    const holder = strings[nodes[n * nodeWidth + nameAt]] || '(anonymous)';
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += edgeWidth) {
      const to = edges[e + edgeToAt] / nodeWidth;
      if (!tableOf.has(to)) continue;
      const type = edges[e + edgeTypeAt];
      if (type === property || type === context) {
        const name = `${holder}.${strings[edges[e + edgeNameAt]]}`;
        const known = heldBy.get(to);
        if (known === undefined || name < known) heldBy.set(to, name);
      } else if (table) {
        if (!inTable.has(to)) inTable.set(to, collectionOf.get(n) as number);
      } else if (!(type === internal && edges[e + edgeNameAt] === tableName)) {
        const name = `(in ${holder})`;
        const known = otherwise.get(to);
        if (known === undefined || name < known) otherwise.set(to, name);
      }
    }
  }
  const labels = new Map<number, string>();
  const label = (collection: number, depth = 0): string => {
    const known = labels.get(collection);
    if (known !== undefined) return known;
    const outer = inTable.get(collection);
    let name = heldBy.get(collection);
    if (name === undefined && outer !== undefined && depth < 8) name = `${label(outer, depth + 1)}[]`;
    name ??= otherwise.get(collection) ?? '(unreferenced)';
    labels.set(collection, name);
    return name;
  };

  const groups = new Map<string, CollectionGroup>();
  for (const [collection, table] of tableOf) {
    const shape = layout(nodes[table * nodeWidth + sizeAt]) as Layout;
    const live = new Set<number>();
    for (let e = firstEdge[table]; e < firstEdge[table + 1]; e += edgeWidth) {
      if (edges[e + edgeTypeAt] !== internal) continue;
      const slot = Number(strings[edges[e + edgeNameAt]]);
      const entry = Math.floor((slot - shape.entriesAt) / shape.slots);
      if (!Number.isInteger(slot) || slot < shape.entriesAt || (slot - shape.entriesAt) % shape.slots === shape.slots - 1) continue;
      live.add(entry);
    }
    const own = strings[nodes[collection * nodeWidth + nameAt]];
    const name = own === 'Map' || own === 'Set' ? label(collection) : `${label(collection)} (${own})`;
    const group = groups.get(name) ?? { collections: 0, entries: 0 };
    group.collections++;
    group.entries += live.size;
    groups.set(name, group);
  }
  return groups;
}

/** Where the entries of a table start and how many slots each takes (the last one: the chain). */
interface Layout {
  entriesAt: number;
  slots: number;
}

/** Tagged slots are 8 bytes (no pointer compression in Node.js), after a 16-byte header. */
const SLOT_BYTES = 8;
const HEADER_BYTES = 16;

/**
 * The layout of an ordered hash table of `bytes`: a Map's (3 slots per
 * entry) or a Set's (2 per entry), told apart by which gives a power of two
 * as capacity; null if neither does (not such a table).
 */
function layout(bytes: number): Layout | null {
  const length = (bytes - HEADER_BYTES) / SLOT_BYTES;
  // The empty table collections share before their first entry.
  if (length === 3) return { entriesAt: 3, slots: 3 };
  for (const slots of [3, 2]) {
    // length = 3 + capacity / 2 + capacity × slots
    const capacity = (length - 3) / (slots + 0.5);
    if (Number.isInteger(capacity) && capacity > 0 && (capacity & (capacity - 1)) === 0) return { entriesAt: 3 + capacity / 2, slots };
  }
  return null;
}
