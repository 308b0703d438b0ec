// A vitest setup file: one control plane for the test file that imports it (or lists it in setupFiles).
import { type ControlPlane, createControlPlane } from "@nova/runtime/control-plane";
import { afterAll, beforeAll } from "vitest";

let plane: ControlPlane | undefined;

beforeAll(async () => {
  plane = await createControlPlane({ computes: 3 });
});

afterAll(async () => {
  await plane?.stop();
});

/** The control plane the setup started (only inside tests and hooks). */
export function cloud(): ControlPlane {
  if (!plane) throw new Error("the embedded cloud is not running (use it inside tests)");
  return plane;
}
