import type { CategoryResolvers } from "../generated/graphql";

export const Category: CategoryResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.categoryById.load(reference.id),
  parent: (category, _args, { loaders }) => (category.parentId ? loaders.categoryById.load(category.parentId) : null),
  children: (category, _args, { loaders }) => loaders.childrenOfCategory.load(category.id),
};
