/**
 * A ceiling on how many objects one operation may ask for. Every list is
 * paginated (`first` up to 100), but nesting multiplies: posts(first: 100)
 * { comments(first: 100) { replies(first: 100) } } is a million rows, and on
 * SQLite's single connection one such request would stall everybody else.
 * The estimate multiplies `first` (its value, or 20 when not given) down the
 * nesting of fields that take it and sums over the document.
 */
import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode, ValueNode } from 'graphql';
import { BadUserInputError } from './errors';

export const MAX_OBJECTS_PER_OPERATION = 10_000;
const DEFAULT_PAGE = 20;

function pageOf(value: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (!value) return DEFAULT_PAGE;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return typeof given === 'number' ? given : DEFAULT_PAGE;
  }
  return DEFAULT_PAGE;
}

/** Estimated objects the operation can return. */
export function estimateObjects(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): number {
  const walk = (selectionSet: SelectionSetNode | undefined, multiplier: number, depth: number): number => {
    if (!selectionSet || depth > 50) return 0;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const first = selection.arguments?.find((argument) => argument.name.value === 'first');
        const times = first ? multiplier * Math.max(1, pageOf(first.value, variables)) : multiplier;
        total += (first ? times : 0) + walk(selection.selectionSet, times, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += walk(selection.selectionSet, multiplier, depth + 1);
      } else {
        total += walk(fragments[selection.name.value]?.selectionSet, multiplier, depth + 1);
      }
    }
    return total;
  };
  return walk(operation.selectionSet, 1, 0);
}

/** BAD_USER_INPUT when the operation may return more than MAX_OBJECTS_PER_OPERATION objects. */
export function assertQuerySize(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): void {
  const estimate = estimateObjects(operation, fragments, variables);
  if (estimate > MAX_OBJECTS_PER_OPERATION) {
    throw new BadUserInputError(
      'first',
      `this operation may return about ${estimate} objects; at most ${MAX_OBJECTS_PER_OPERATION} per request: ask for smaller pages of nested lists.`,
    );
  }
}

export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return fragments;
}
