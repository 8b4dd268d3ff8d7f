/** What a page says about itself for a preview, as Dub's `GET /metatags` answers it; null when it says nothing. */
export type Metatags = { title: string | null; description: string | null; image: string | null };

export const NO_METATAGS: Metatags = Object.freeze({ title: null, description: null, image: null });
