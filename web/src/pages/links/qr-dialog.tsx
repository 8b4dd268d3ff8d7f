import { Dialog } from "radix-ui";
import { apiUrl } from "../../api/client";
import { useReturnFocus } from "../../components/use-return-focus";
import { type Link, shortName } from "./link-types";

/** The link's QR code (scans are counted apart: the code carries `?qr=1`), with PNG and SVG downloads. */
export function QrDialog({
  link,
  onOpenChange,
}: {
  link: Link | null;
  onOpenChange: (open: boolean) => void;
}) {
  const returnFocus = useReturnFocus(link !== null);
  const target = link ? `${link.shortLink}?qr=1` : "";
  const file = link ? `qr-${shortName(link).replace(/[^A-Za-z0-9._-]+/g, "-")}` : "qr";
  return (
    <Dialog.Root open={link !== null} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" onCloseAutoFocus={returnFocus}>
          <Dialog.Title>QR code</Dialog.Title>
          <Dialog.Description className="muted">{link ? shortName(link) : ""}</Dialog.Description>
          {link && (
            <>
              <img
                className="qr-preview"
                src={apiUrl("/qr", { url: target, size: 320, format: "svg" })}
                width={240}
                height={240}
                alt={`QR code for ${shortName(link)}`}
              />
              <div className="dialog-actions">
                <a
                  className="button secondary"
                  href={apiUrl("/qr", { url: target, size: 1024 })}
                  download={`${file}.png`}
                >
                  Download PNG
                </a>
                <a
                  className="button secondary"
                  href={apiUrl("/qr", { url: target, format: "svg" })}
                  download={`${file}.svg`}
                >
                  Download SVG
                </a>
                <Dialog.Close className="button">Done</Dialog.Close>
              </div>
            </>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
