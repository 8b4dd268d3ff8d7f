import type { Clock } from "../clock.js";
import { conflict, notFound, UniqueViolation } from "../errors.js";
import { prefixedId } from "../ids.js";
import type { Principal } from "../workspaces/model.js";
import { EVERY_GENERATION_COLORS, type Tag, type TagColor, type TagListFilter } from "./model.js";
import type { TagStore } from "./ports.js";

export type TagInput = { name?: string; color?: TagColor };

export class TagService {
  constructor(
    private readonly store: TagStore,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: TagInput & { name: string }): Promise<Tag> {
    const now = this.clock.now();
    const tag: Tag = {
      id: prefixedId("tag"),
      workspaceId: principal.workspaceId,
      name: input.name,
      color: input.color ?? randomColor(),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.store.insert(tag);
    } catch (error) {
      throw translate(error);
    }
    return tag;
  }

  list(principal: Principal, filter: TagListFilter): Promise<Tag[]> {
    return this.store.list(principal.workspaceId, filter);
  }

  async update(principal: Principal, id: string, input: TagInput): Promise<Tag> {
    const fields: TagInput = {};
    if (input.name !== undefined) fields.name = input.name;
    if (input.color !== undefined) fields.color = input.color;
    let tag: Tag | null;
    try {
      tag =
        Object.keys(fields).length === 0
          ? await this.store.findById(principal.workspaceId, id)
          : await this.store.update(principal.workspaceId, id, fields, this.clock.now());
    } catch (error) {
      throw translate(error);
    }
    if (!tag) throw notFound("Tag not found.");
    return tag;
  }

  async delete(principal: Principal, id: string): Promise<{ id: string }> {
    if (!(await this.store.delete(principal.workspaceId, id))) throw notFound("Tag not found.");
    return { id };
  }
}

/** Dub picks a random colour too; never `gray`, which the seed-era SDK cannot decode. */
function randomColor(): TagColor {
  return EVERY_GENERATION_COLORS[Math.floor(Math.random() * EVERY_GENERATION_COLORS.length)];
}

const translate = (error: unknown) =>
  error instanceof UniqueViolation ? conflict("A tag with that name already exists.") : error;
