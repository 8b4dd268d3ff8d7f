import { type RawBuilder, sql } from "kysely";

/** A LIKE operand matching any text that contains `text` literally, on every engine. */
export const containing = (text: string): RawBuilder<string> =>
  sql<string>`${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
