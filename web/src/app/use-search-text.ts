import { useEffect, useRef, useState } from "react";

/**
 * A search box kept in the URL: the text as typed, handed to `apply` (trimmed, undefined when empty) 300 ms after the
 * last keystroke, so the URL and the query follow without a request per key.
 */
export function useSearchText(
  inUrl: string | undefined,
  apply: (search: string | undefined) => void,
): [string, (text: string) => void] {
  const [text, setText] = useState(inUrl ?? "");
  const latestApply = useRef(apply);
  latestApply.current = apply;
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((inUrl ?? "") !== text.trim()) latestApply.current(text.trim() || undefined);
    }, 300);
    return () => clearTimeout(timer);
  }, [text, inUrl]);
  return [text, setText];
}
