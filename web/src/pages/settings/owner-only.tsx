import { useWorkspace } from "../../app/workspace";

/** Whether the viewer may do what only owners may (the API refuses members anyway). */
export function useIsOwner(): boolean {
  return useWorkspace().role === "owner";
}

/** Says why the owner-only controls of a section are not offered. */
export function OwnerOnlyNote({ what }: { what: string }) {
  return (
    <p className="owner-only-note" role="note">
      Only owners of this workspace can {what}. You are a member: ask an owner.
    </p>
  );
}
