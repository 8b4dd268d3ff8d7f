import type { LinkTag, TagColor } from "../domain/tags/model.js";
import type { SdkGeneration } from "./sdk-generation.js";

/**
 * Dub's tag: `{id, name, color}`. The seed-era Go SDK fails to decode `gray` (its enum lacks it), so that
 * generation is shown a gray tag as `blue`, the colour Dub gives a tag by default.
 */
export function presentTag(tag: LinkTag, generation: SdkGeneration = "current") {
  return { id: tag.id, name: tag.name, color: colorFor(tag.color, generation) };
}

const colorFor = (color: TagColor, generation: SdkGeneration): TagColor =>
  generation === "seed" && color === "gray" ? "blue" : color;
