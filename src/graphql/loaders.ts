/** Helpers for the modules' DataLoaders (each module's are in its <module>.loaders.ts). */
import DataLoader from 'dataloader';

/** Rows by id, one query per batch; a missing row is null. */
export function byId<T extends { id: number }>(load: (ids: readonly number[]) => Promise<T[]>): DataLoader<number, T | null> {
  return new DataLoader(async (ids) => {
    const rows = await load(ids);
    const found = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? null);
  });
}
