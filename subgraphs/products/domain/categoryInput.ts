import { requiredId, requiredText, slug } from "../../common/validation";

/** A category's fields as a client sends them (CreateCategoryInput). */
export interface CategoryFields {
  name: string;
  slug: string;
  parentId?: string | null;
}

export interface NewCategory {
  name: string;
  slug: string;
  parentId: string | null;
}

export function validateNewCategory(input: CategoryFields): NewCategory {
  return {
    name: requiredText(input.name, "name", { max: 100 }),
    slug: slug(input.slug, "slug"),
    parentId: input.parentId ? requiredId(input.parentId, "parentId") : null,
  };
}
