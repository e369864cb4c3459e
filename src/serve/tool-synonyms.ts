/**
 * Words that mean the same thing in a request for a tool as in a tool's name or description. Tool search
 * adds a query word's synonyms to the query at a lower weight, so "remove a folder" finds
 * `delete_directory`. General vocabulary of tools (actions on data, files, people, code), not tuned to
 * any one server's tools; a word may be in several groups.
 */
const GROUPS: readonly string[] = [
  // Actions
  "create make new add insert",
  "delete remove erase drop destroy discard",
  "update edit change modify patch alter replace",
  "read get fetch retrieve load open show view dump display",
  "list enumerate browse contents",
  "search find query lookup look locate match filter grep",
  "write save store put persist",
  "move rename relocate",
  "copy duplicate clone",
  "run execute start trigger launch invoke",
  "stop cancel abort halt kill",
  "send post publish notify",
  "compress zip gzip archive",
  // Things
  "directory folder dir",
  "file document",
  "image picture photo icon",
  "size bytes big bigger biggest large larger largest small smaller smallest tiny",
  "relation relationship link connection connect associate",
  "entity node item thing record",
  "environment env variable",
  "permission access allow allowed",
  "metadata info information details stat stats",
  "user person people member account",
  "repository repo project",
  "issue ticket bug",
  "email mail",
  "all entire whole everything complete",
];

/**
 * A lookup of each word's synonyms by its `key` (e.g. its stem, so "folders" finds the synonyms of
 * "folder"); the synonyms are given as written, to be processed like the query's own words.
 */
export function synonymTable(key: (word: string) => string): (word: string) => readonly string[] {
  const table = new Map<string, Set<string>>();
  for (const group of GROUPS) {
    const words = group.split(" ");
    for (const word of words) {
      const set = table.get(key(word)) ?? new Set<string>();
      for (const other of words) if (other !== word) set.add(other);
      table.set(key(word), set);
    }
  }
  return (word) => [...(table.get(key(word)) ?? [])];
}
