/** How `clicktrail` and the server end, as the README and `clicktrail --help` document it. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** A database file failed its integrity check (at start, as a backup's copy, or as a file to restore). */
export const EXIT_DAMAGED = 3;
/** The data folder's database is open in another process (a running server or another command). */
export const EXIT_BUSY = 4;
