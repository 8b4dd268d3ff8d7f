import { isbot } from "isbot";

export type VisitSignals = {
  method: string;
  userAgent: string;
  noTrackHeader: boolean;
  /** The browser is only prefetching or prerendering (Sec-Purpose, Purpose, X-Purpose, X-Moz): nobody clicked yet. */
  prefetch: boolean;
  query: Record<string, string>;
};

/** Whether a visit counts as a click. Pure: how a click is recorded is the recorder's business. */
export function shouldTrack(visit: VisitSignals): boolean {
  if (visit.method !== "GET") return false;
  if (visit.prefetch) return false;
  if (visit.noTrackHeader || "dub-no-track" in visit.query || "bot" in visit.query) return false;
  return !isbot(visit.userAgent);
}
