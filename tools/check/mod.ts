/**
 * Checks over the workspace's structure: package boundaries (imports cross
 * members only through declared entry points) and the layering of the import
 * graph, and RM isolation (no ResourceManager method called outside rm/, rm_calls.ts).
 *
 * @module
 */
export * from "./workspace.ts";
export * from "./source.ts";
export * from "./exports.ts";
export {
  applyFixes,
  checkFile,
  checkWorkspace,
  EXCLUDED,
  type Finding,
  mergeEntryImports,
} from "./imports.ts";
export * from "./graph.ts";
export * from "./layering.ts";
export * from "./packages.ts";
export * from "./sdk_map.ts";
export * from "./rm_calls.ts";
