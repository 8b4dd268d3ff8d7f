/** `12,345`: counts as the command line prints them (no formatter made at import, which costs a command 20 ms). */
export const thousands = (n: number) => n.toLocaleString("en-US");
