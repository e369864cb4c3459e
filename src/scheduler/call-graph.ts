/**
 * The order of a batch's dependent calls. `after[i]` lists the calls call `i` waits for; a batch can run
 * only if following those edges never comes back to where it started.
 */

/**
 * One cycle of the graph `after` as the calls on it, in order, the first repeated at the end (`[0, 2, 0]`:
 * call 0 waits for call 2, which waits for call 0), or undefined when there is none. An index outside the
 * batch is a programmer's error. Iterative, so a long chain cannot overflow the stack; linear in calls
 * plus edges.
 */
export function findCycle(after: readonly (readonly number[])[]): number[] | undefined {
  const state = new Uint8Array(after.length); // 0 unseen, 1 on the current path, 2 done
  for (let root = 0; root < after.length; root++) {
    if (state[root] !== 0) continue;
    const path: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (path.length > 0) {
      const node = path.at(-1)!;
      const edges = after[node]!;
      const edge = next[next.length - 1]!;
      if (edge >= edges.length) {
        state[node] = 2;
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = edge + 1;
      const to = edges[edge]!;
      if (to < 0 || to >= after.length || !Number.isInteger(to))
        throw new RangeError(`Call ${node} waits for call ${to}, which is not in the batch`);
      if (state[to] === 1) return [...path.slice(path.indexOf(to)), to];
      if (state[to] === 0) {
        state[to] = 1;
        path.push(to);
        next.push(0);
      }
    }
  }
  return undefined;
}
