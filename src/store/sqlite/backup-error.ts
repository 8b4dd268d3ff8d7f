import { ExplainedError } from "../../explained-error.js";

/** A backup or restore that cannot go ahead, with a message for the person running it and the exit status. */
export class BackupError extends ExplainedError {}
