import { useLayoutEffect, useRef } from "react";

/**
 * For a dialog opened from code rather than by its own Dialog.Trigger (from a menu item, a shortcut, a plain
 * button): Radix gives the focus back only to a Dialog.Trigger, so without this it falls to the page's body. This
 * remembers what had the focus as the dialog opened (before the dialog takes it) and gives it back on close, when
 * that element is still there. Pass the result as the dialog content's `onCloseAutoFocus`.
 */
export function useReturnFocus(open: boolean): (event: Event) => void {
  const opener = useRef<HTMLElement | null>(null);
  // A layout effect runs before the dialog's own focus moves, which Radix does in a passive effect.
  useLayoutEffect(() => {
    if (!open) return;
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
  }, [open]);
  return (event) => {
    const element = opener.current;
    opener.current = null;
    if (!element?.isConnected) return;
    event.preventDefault();
    element.focus();
  };
}
