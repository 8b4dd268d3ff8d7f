/** Two names of a workspace's tags (or of its folders) are the same when they are equal in lower case. */
export const nameKey = (name: string) => name.toLowerCase();
