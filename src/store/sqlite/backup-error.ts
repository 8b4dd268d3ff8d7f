import { EXIT_FAILURE } from "../../exit-codes.js";

/** A backup or restore that cannot go ahead, with a message for the person running it and the exit status. */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly exitCode = EXIT_FAILURE,
  ) {
    super(message);
  }
}
