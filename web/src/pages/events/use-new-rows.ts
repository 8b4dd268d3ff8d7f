import { useEffect, useRef, useState } from "react";

/**
 * The keys of rows that arrived after the first answer of a view (polling brought them), so they can be
 * marked; a new view (another table, filter or page) starts over with nothing marked.
 */
export function useNewRows(view: string, keys: string[] | undefined): Set<string> {
  const seen = useRef<{ view: string; keys: Set<string> } | null>(null);
  const [fresh, setFresh] = useState<{ view: string; keys: Set<string> }>({ view, keys: new Set() });
  useEffect(() => {
    if (!keys) return;
    if (!seen.current || seen.current.view !== view) {
      seen.current = { view, keys: new Set(keys) };
      setFresh({ view, keys: new Set() });
      return;
    }
    const known = seen.current.keys;
    const arrived = keys.filter((key) => !known.has(key));
    if (arrived.length === 0) return;
    for (const key of arrived) known.add(key);
    setFresh((previous) => ({
      view,
      keys: new Set([...(previous.view === view ? previous.keys : []), ...arrived]),
    }));
  }, [view, keys]);
  return fresh.view === view ? fresh.keys : new Set();
}
