import { ExplainedError } from "../../explained-error.js";

/** A copy that cannot go ahead, with a message meant for the person running it. */
export class CopyError extends ExplainedError {}
