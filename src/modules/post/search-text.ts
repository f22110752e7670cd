/**
 * The text `posts(search:)` matches against: title, body or description,
 * and option labels, lower-cased here with full Unicode rules so matching
 * is case-insensitive identically on SQLite and PostgreSQL.
 */
export function buildSearchText(parts: { title: string; body?: string | null; description?: string | null; optionLabels?: readonly string[] }): string {
  return [parts.title, parts.body ?? '', parts.description ?? '', ...(parts.optionLabels ?? [])]
    .filter((part) => part !== '')
    .join('\n')
    .toLowerCase();
}
